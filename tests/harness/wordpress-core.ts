/**
 * WordPress core for the harness, taken from Debian's `wordpress` package of a newer suite
 * (trixie carries 6.8.x; the machine's own suite may be older).
 *
 * The packages are fetched with `apt-get download` through a private apt configuration under
 * `.harness/cache/apt/` whose source reuses the archive URL already configured on the machine
 * with the suite swapped, unpacked with `dpkg-deb -x` (never installed) and copied with
 * `cp -rL`: the package relies on relative symlinks into its dependencies (lodash, underscore,
 * getID3…), which `cp -a` would leave dangling. The resulting pristine tree is cached and
 * copied into each instance.
 */
import { execFileSync } from 'node:child_process';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	renameSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { withLock } from './lock';
import { CACHE_DIR } from './paths';
import { program, type ProgramName } from './programs';

export const WORDPRESS_SUITE = process.env.MFK_WP_SUITE || 'trixie';
const DEFAULT_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const EXTRA_PACKAGES = [ 'wordpress-theme-twentytwentyfive' ];

export interface AptSource {
	uri: string;
	suite: string;
	components: string[];
	signedBy?: string;
}

/** The machine's release codename (`bookworm`, `trixie`, …). */
export function hostCodename(
	osRelease = readSafe( '/etc/os-release' )
): string {
	const match = /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec( osRelease );
	return match?.[ 2 ] ?? '';
}

function readSafe( file: string ): string {
	try {
		return readFileSync( file, 'utf8' );
	} catch {
		return '';
	}
}

/** Parses deb822 `.sources` text into one entry per (URI, suite). */
export function parseDeb822( text: string ): AptSource[] {
	const sources: AptSource[] = [];
	for ( const stanza of text.split( /\n\s*\n/ ) ) {
		const fields: Record< string, string > = {};
		let current = '';
		for ( const line of stanza.split( '\n' ) ) {
			if ( line.startsWith( '#' ) || line.trim() === '' ) {
				continue;
			}
			if ( /^\s/.test( line ) && current ) {
				fields[ current ] += ' ' + line.trim();
				continue;
			}
			const colon = line.indexOf( ':' );
			if ( colon > 0 ) {
				current = line.slice( 0, colon ).trim().toLowerCase();
				fields[ current ] = line.slice( colon + 1 ).trim();
			}
		}
		const types = ( fields.types ?? '' ).split( /\s+/ );
		if ( ! types.includes( 'deb' ) || fields.enabled === 'no' ) {
			continue;
		}
		const signedBy = fields[ 'signed-by' ];
		for ( const uri of ( fields.uris ?? '' )
			.split( /\s+/ )
			.filter( Boolean ) ) {
			for ( const suite of ( fields.suites ?? '' )
				.split( /\s+/ )
				.filter( Boolean ) ) {
				sources.push( {
					uri,
					suite,
					components: ( fields.components ?? 'main' ).split( /\s+/ ),
					...( signedBy && signedBy.startsWith( '/' )
						? { signedBy }
						: {} ),
				} );
			}
		}
	}
	return sources;
}

/** Parses one-line `deb [options] uri suite components…` entries. */
export function parseOneLine( text: string ): AptSource[] {
	const sources: AptSource[] = [];
	for ( const raw of text.split( '\n' ) ) {
		const line = raw.replace( /#.*/, '' ).trim();
		const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(
			line
		);
		if ( ! match ) {
			continue;
		}
		const signedBy = /signed-by=(\S+)/.exec( match[ 1 ] ?? '' )?.[ 1 ];
		sources.push( {
			uri: match[ 2 ]!,
			suite: match[ 3 ]!,
			components: ( match[ 4 ] || 'main' ).split( /\s+/ ),
			...( signedBy ? { signedBy } : {} ),
		} );
	}
	return sources;
}

/** Every enabled `deb` source configured on the machine. */
export function machineSources(): AptSource[] {
	const sources: AptSource[] = parseOneLine(
		readSafe( '/etc/apt/sources.list' )
	);
	const dir = '/etc/apt/sources.list.d';
	const files = existsSync( dir ) ? readdirSync( dir ).sort() : [];
	for ( const file of files ) {
		if ( file.endsWith( '.sources' ) ) {
			sources.push(
				...parseDeb822( readSafe( path.join( dir, file ) ) )
			);
		} else if ( file.endsWith( '.list' ) ) {
			sources.push(
				...parseOneLine( readSafe( path.join( dir, file ) ) )
			);
		}
	}
	return sources;
}

/**
 * Turns the machine's Debian sources into source lines for `targetSuite`: the archive URLs are
 * kept, `<codename>`, `<codename>-updates` and `<codename>-security` become the same pockets of
 * the target suite. MFK_DEBIAN_MIRROR (a Debian archive URL) replaces the detection, for
 * machines whose sources are not Debian's (Ubuntu, a local mirror of something else).
 */
export function privateSourceLines(
	sources: AptSource[],
	codename: string,
	targetSuite: string,
	mirror = process.env.MFK_DEBIAN_MIRROR
): string[] {
	const line = ( s: AptSource ) =>
		`deb [signed-by=${ s.signedBy ?? DEFAULT_KEYRING }] ${ s.uri } ${ s.suite } main`;
	if ( mirror ) {
		return [
			line( { uri: mirror, suite: targetSuite, components: [ 'main' ] } ),
		];
	}
	const lines = new Set< string >();
	for ( const source of sources ) {
		if ( ! codename || ! source.components.includes( 'main' ) ) {
			continue;
		}
		for ( const pocket of [ '', '-updates', '-security' ] ) {
			if ( source.suite === codename + pocket ) {
				lines.add( line( { ...source, suite: targetSuite + pocket } ) );
			}
		}
	}
	if ( lines.size === 0 ) {
		throw new Error(
			`No Debian archive found in /etc/apt/sources.list{,.d} for "${ codename || 'unknown' }". ` +
				'Set MFK_DEBIAN_MIRROR to a Debian archive URL (for example the one your Debian ' +
				'machines use) so the harness can fetch the WordPress package.'
		);
	}
	return [ ...lines ];
}

function aptOptions( aptDir: string ): string[] {
	const options: Record< string, string > = {
		'Dir::Etc::SourceList': path.join( aptDir, 'sources.list' ),
		'Dir::Etc::SourceParts': path.join( aptDir, 'sources.list.d' ),
		'Dir::Etc::Preferences': path.join( aptDir, 'preferences' ),
		'Dir::Etc::PreferencesParts': path.join( aptDir, 'preferences.d' ),
		'Dir::State::Lists': path.join( aptDir, 'lists' ),
		'Dir::State::status': path.join( aptDir, 'status' ),
		'Dir::Cache': path.join( aptDir, 'cache' ),
		'Acquire::Languages': 'none',
	};
	// As root, apt downloads as the `_apt` user, which cannot write into our cache folder.
	if ( process.getuid?.() === 0 ) {
		options[ 'APT::Sandbox::User' ] = 'root';
	}
	return Object.entries( options ).flatMap( ( [ key, value ] ) => [
		'-o',
		`${ key }=${ value }`,
	] );
}

function run( command: ProgramName, args: string[], cwd?: string ): string {
	const file = program( command );
	try {
		return execFileSync( file, args, {
			cwd,
			encoding: 'utf8',
			stdio: [ 'ignore', 'pipe', 'pipe' ],
			env: { ...process.env, LC_ALL: 'C' },
		} );
	} catch ( error ) {
		const e = error as { stderr?: string; stdout?: string };
		throw new Error(
			`${ command } ${ args.filter( ( a ) => ! a.startsWith( 'Dir::' ) ).join( ' ' ) } failed:\n${ e.stderr || e.stdout || String( error ) }`
		);
	}
}

/** Reads `Depends:` of a package and keeps the ones the tree needs (libraries it links into). */
export function libraryDepends( dependsOutput: string ): string[] {
	const names = new Set< string >();
	for ( const match of dependsOutput.matchAll(
		/^\s*\|?Depends:\s*(\S+)/gm
	) ) {
		const name = match[ 1 ]!;
		if ( /^(libjs-|libphp-|php-getid3$)/.test( name ) ) {
			names.add( name );
		}
	}
	return [ ...names ].sort();
}

function log( message: string ): void {
	process.stderr.write( `[harness] ${ message }\n` );
}

/** Returns the path of a pristine WordPress tree, fetching and unpacking it when needed. */
export async function ensureWordPressCore(): Promise< string > {
	// The pointer names the current tree relative to the cache, so a copied cache still works.
	const pointer = path.join( CACHE_DIR, 'wordpress-current.txt' );
	const current = () => {
		const name = readSafe( pointer ).trim();
		const tree = name ? path.join( CACHE_DIR, name ) : '';
		return tree && existsSync( path.join( tree, 'wp-settings.php' ) )
			? tree
			: '';
	};
	if ( current() ) {
		return current();
	}
	return withLock( path.join( CACHE_DIR, 'wordpress' ), async () => {
		if ( current() ) {
			return current();
		}
		const started = Date.now();
		const aptDir = path.join( CACHE_DIR, 'apt' );
		for ( const sub of [
			'sources.list.d',
			'preferences.d',
			'lists/partial',
			'cache/archives/partial',
		] ) {
			mkdirSync( path.join( aptDir, sub ), { recursive: true } );
		}
		writeFileSync( path.join( aptDir, 'status' ), '' );
		const lines = privateSourceLines(
			machineSources(),
			hostCodename(),
			WORDPRESS_SUITE
		);
		writeFileSync(
			path.join( aptDir, 'sources.list' ),
			lines.join( '\n' ) + '\n'
		);
		const opts = aptOptions( aptDir );
		log(
			`fetching WordPress from Debian ${ WORDPRESS_SUITE } (${ lines.length } source lines)…`
		);
		run( 'apt-get', [ ...opts, '-q', 'update' ] );
		const policy = run( 'apt-cache', [ ...opts, 'policy', 'wordpress' ] );
		const version = /Candidate:\s*(\S+)/.exec( policy )?.[ 1 ];
		if ( ! version || version === '(none)' ) {
			throw new Error(
				`No wordpress package in Debian ${ WORDPRESS_SUITE }:\n${ policy }`
			);
		}
		const depends = run( 'apt-cache', [
			...opts,
			'depends',
			'--no-recommends',
			'--no-suggests',
			'wordpress',
		] );
		const packages = [
			'wordpress',
			...libraryDepends( depends ),
			...EXTRA_PACKAGES,
		];

		const debDir = path.join( CACHE_DIR, 'debs' );
		rmSync( debDir, { recursive: true, force: true } );
		mkdirSync( debDir, { recursive: true } );
		run( 'apt-get', [ ...opts, '-q', 'download', ...packages ], debDir );

		const unpacked = path.join( CACHE_DIR, 'unpacked' );
		rmSync( unpacked, { recursive: true, force: true } );
		for ( const deb of readdirSync( debDir ).filter( ( f ) =>
			f.endsWith( '.deb' )
		) ) {
			run( 'dpkg-deb', [ '-x', path.join( debDir, deb ), unpacked ] );
		}
		const source = path.join( unpacked, 'usr', 'share', 'wordpress' );
		// Links into /etc (the Apache .htaccess, the CA bundle) and Debian's wp-config.php,
		// which looks for /etc/wordpress/config-<host>.php, must not reach the instances.
		for ( const file of [
			'.htaccess',
			'wp-config.php',
			'wp-includes/certificates/ca-bundle.crt',
		] ) {
			rmSync( path.join( source, file ), { force: true } );
		}
		const safeVersion = version.replace( /[^A-Za-z0-9.+~-]/g, '_' );
		const target = path.join( CACHE_DIR, `wordpress-${ safeVersion }` );
		const staging = `${ target }.tmp`;
		rmSync( staging, { recursive: true, force: true } );
		run( 'cp', [ '-rL', source, staging ] );
		const bundle = path.join(
			staging,
			'wp-includes',
			'certificates',
			'ca-bundle.crt'
		);
		if ( existsSync( '/etc/ssl/certs/ca-certificates.crt' ) ) {
			copyFileSync( '/etc/ssl/certs/ca-certificates.crt', bundle );
		} else {
			writeFileSync( bundle, '' );
		}
		rmSync( target, { recursive: true, force: true } );
		renameSync( staging, target );
		rmSync( unpacked, { recursive: true, force: true } );
		writeFileSync( pointer, path.basename( target ) + '\n' );
		log(
			`WordPress ${ version } ready in ${ ( ( Date.now() - started ) / 1000 ).toFixed( 1 ) } s`
		);
		return target;
	} );
}
