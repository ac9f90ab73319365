/**
 * Build step (scripts/build-sidecar.mjs; never part of the sidecar bundle): the time zone names
 * the sidecar accepts without asking ICU at run time (meetings/time.ts). Asking ICU means building
 * an `Intl.DateTimeFormat`, which pages in about 6 MiB of ICU's locale and calendar data for the
 * rest of the process's life; a table of names does not.
 *
 * The candidates are ICU's own zone list, the tz database's zones and links (`tzdata.zi` of the
 * system's tzdata, when there is one) and the names already in the table; each is kept only as
 * ICU (this Node's) answers for it: a zone ICU resolves to itself, in ICU's letter case, or a link
 * ICU accepts and resolves to another name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATED_TIME_ZONES = 'src/sidecar/generated/time-zones.ts';

/** Where Debian (and most systems) keep the tz database's source in one file. */
const TZDATA_ZI = join(
	process.env.TZDIR ?? '/usr/share/zoneinfo',
	'tzdata.zi'
);

/** Zone (`Z name …`) and link (`L target name`) names of a `tzdata.zi`. */
export function tzdataNames( text: string ): string[] {
	const names: string[] = [];
	for ( const line of text.split( '\n' ) ) {
		const [ kind, first, second ] = line.split( ' ' );
		if ( kind === 'Z' && first ) {
			names.push( first );
		} else if ( kind === 'L' && second ) {
			names.push( second );
		}
	}
	return names;
}

/** ICU's name for `zone`, or null when ICU refuses it. */
export function icuTimeZone( zone: string ): string | null {
	try {
		return new Intl.DateTimeFormat( 'en-US', {
			timeZone: zone,
		} ).resolvedOptions().timeZone;
	} catch {
		return null;
	}
}

export function classifyTimeZones( candidates: Iterable< string > ): {
	zones: string[];
	links: string[];
} {
	const zones = new Set< string >();
	const links = new Set< string >();
	for ( const name of candidates ) {
		const resolved = icuTimeZone( name );
		if ( resolved === null ) {
			continue;
		}
		if ( resolved.toLowerCase() === name.toLowerCase() ) {
			zones.add( resolved );
		} else {
			links.add( name );
		}
	}
	const sorted = ( s: Set< string > ) =>
		[ ...s ].sort( ( a, b ) => ( a < b ? -1 : Number( a > b ) ) );
	return { zones: sorted( zones ), links: sorted( links ) };
}

const list = ( names: string[] ) =>
	`[\n${ names.map( ( n ) => `\t${ JSON.stringify( n ) },` ).join( '\n' ) }\n]`;

/** The module's source, from these candidates plus ICU's own list. */
export function timeZonesModule( candidates: Iterable< string > ): string {
	const { zones, links } = classifyTimeZones( [
		...Intl.supportedValuesOf( 'timeZone' ),
		...candidates,
	] );
	return `/**
 * Time zone names the sidecar accepts without asking ICU (meetings/time.ts). Written by
 * npm run build:sidecar (meetings/generate-time-zones.ts) from ICU ${ process.versions.icu } (tz ${ process.versions.tz }); not edited by hand.
 */

/** Names ICU resolves to themselves, in its letter case. */
export const ZONES: readonly string[] = ${ list( zones ) };

/** Other names ICU accepts (links to a zone). */
export const LINKS: readonly string[] = ${ list( links ) };
`;
}

/** Names a generated module lists. */
export function namesIn( source: string ): string[] {
	return [ ...source.matchAll( /^\t("[^"\n]+"),$/gm ) ].map(
		( m ) => JSON.parse( m[ 1 ] as string ) as string
	);
}

/** What npm run build:sidecar writes to GENERATED_TIME_ZONES (`current`: its present content). */
export function generateTimeZones( current = '' ): string {
	return timeZonesModule( [
		...namesIn( current ),
		...( existsSync( TZDATA_ZI )
			? tzdataNames( readFileSync( TZDATA_ZI, 'utf8' ) )
			: [] ),
	] );
}
