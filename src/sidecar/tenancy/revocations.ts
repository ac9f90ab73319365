/**
 * The operator's revoke list: sites (or one enrolment of a site, `site id:key id`) the sidecar
 * refuses, from MFK_REVOKED_SITES (comma-separated) and the file MFK_REVOKED_SITES_FILE (one
 * entry per line, `#` starts a comment). The file is read again on SIGHUP and whenever it changed
 * (checked every MFK_REVOKED_SITES_RELOAD_SECONDS), so a revocation takes effect without a restart;
 * a file that cannot be read keeps the list in force and is reported, never treated as empty.
 */
import { readFileSync, statSync } from 'node:fs';

export interface RevocationSource {
	/** Entries from the environment. */
	entries: readonly string[];
	/** File of entries, or null. */
	file: string | null;
}

/** `site` or `site:kid`, checked the way config/hosted.ts checks them. */
export function parseRevocations( text: string ): string[] {
	return text
		.split( /[\n,]/ )
		.map( ( line ) => line.replace( /#.*$/, '' ).trim() )
		.filter( ( line ) => line !== '' );
}

export class Revocations {
	private revoked = new Set< string >();
	private fileMtimeMs = -1;
	private lastError: string | null = null;

	constructor(
		private readonly source: RevocationSource,
		private readonly onError: ( message: string ) => void = () => {}
	) {
		this.reload( true );
	}

	/** Whether requests of `siteId` signed under master key `kid` are refused. */
	isRevoked( siteId: string, kid: string ): boolean {
		return (
			this.revoked.has( siteId ) ||
			this.revoked.has( `${ siteId }:${ kid }` )
		);
	}

	get size(): number {
		return this.revoked.size;
	}

	/** The last problem reading the file (null when it was read). */
	get error(): string | null {
		return this.lastError;
	}

	/**
	 * Reads the file again when it changed (or always with `force`). Returns whether the list
	 * was replaced.
	 */
	reload( force = false ): boolean {
		const { file } = this.source;
		let fromFile: string[] = [];
		if ( file ) {
			try {
				const mtime = statSync( file ).mtimeMs;
				if ( ! force && mtime === this.fileMtimeMs ) {
					return false;
				}
				fromFile = parseRevocations( readFileSync( file, 'utf8' ) );
				this.fileMtimeMs = mtime;
				this.lastError = null;
			} catch ( error ) {
				// Keep what is in force: an unreadable list must not let revoked sites back in.
				this.lastError = `cannot read the revoke list ${ file }: ${ ( error as Error ).message }`;
				this.onError( this.lastError );
				return false;
			}
		}
		this.revoked = new Set( [ ...this.source.entries, ...fromFile ] );
		return true;
	}
}
