/**
 * Sealed blobs this replica opened recently, so that a doctor's calls in a row do not decrypt
 * and parse the same client secret and credential every time. Kept in memory only, never written
 * anywhere; keyed by a SHA-256 of what the blob is bound to and the blob (never the blob itself);
 * at most `max` entries, the least recently used going first. A credential is kept while the
 * access token it carries is usable, a client secret for CLIENT_SECRET_TTL_MS. A blob that does
 * not open is never kept, and every call still checks what the request binds it to (site id in
 * the key, OAuth client against the credential).
 */
import { createHash } from 'node:crypto';
import { openCredential, type Credential } from './credential';
import type { Sealer } from './sealer';

/** How long an opened client secret is kept: the site may seal a new one at any time. */
export const CLIENT_SECRET_TTL_MS = 15 * 60 * 1000;
/** A credential is dropped this long before its access token expires (as sessions refresh). */
export const TOKEN_MARGIN_MS = 60 * 1000;

interface Entry {
	until: number;
	secret?: string;
	credential?: Readonly< Credential >;
	stale?: boolean;
}

export class OpenedBlobs {
	private readonly entries = new Map< string, Entry >();

	constructor(
		private readonly sealer: Sealer,
		private readonly max = 2000,
		private readonly now: () => number = Date.now
	) {}

	/** The plaintext of a sealed client secret of `siteId`. */
	clientSecret( siteId: string, blob: string ): string {
		const key = keyOf( 'client_secret', siteId, blob );
		const kept = this.get( key )?.secret;
		if ( kept !== undefined ) {
			return kept;
		}
		const secret = this.sealer.open(
			blob,
			'client_secret',
			siteId
		).plaintext;
		this.set( key, {
			until: this.now() + CLIENT_SECRET_TTL_MS,
			secret,
		} );
		return secret;
	}

	/** A doctor's opened credential (a copy the caller may change) and whether to re-seal it. */
	credential(
		siteId: string,
		blob: string
	): { credential: Credential; stale: boolean } {
		const key = keyOf( 'credential', siteId, blob );
		const kept = this.get( key );
		if ( kept?.credential ) {
			return {
				credential: {
					...kept.credential,
					scopes: [ ...kept.credential.scopes ],
				},
				stale: kept.stale === true,
			};
		}
		const { credential, stale } = openCredential(
			this.sealer,
			siteId,
			blob
		);
		this.set( key, {
			until: ( credential.accessTokenExpiresAt ?? 0 ) - TOKEN_MARGIN_MS,
			credential: Object.freeze( {
				...credential,
				scopes: [ ...credential.scopes ],
			} ),
			stale,
		} );
		return { credential, stale };
	}

	/** Drops an opened credential (after its grant was revoked). */
	forgetCredential( siteId: string, blob: string ): void {
		this.entries.delete( keyOf( 'credential', siteId, blob ) );
	}

	get size(): number {
		return this.entries.size;
	}

	private get( key: string ): Entry | undefined {
		const entry = this.entries.get( key );
		if ( ! entry ) {
			return undefined;
		}
		this.entries.delete( key );
		if ( entry.until <= this.now() ) {
			return undefined;
		}
		// Re-inserted: Map order doubles as least-recently-used order.
		this.entries.set( key, entry );
		return entry;
	}

	private set( key: string, entry: Entry ): void {
		if ( entry.until <= this.now() ) {
			return;
		}
		this.entries.delete( key );
		if ( this.entries.size >= this.max ) {
			const oldest = this.entries.keys().next();
			if ( ! oldest.done ) {
				this.entries.delete( oldest.value );
			}
		}
		this.entries.set( key, entry );
	}
}

function keyOf( purpose: string, siteId: string, blob: string ): string {
	return createHash( 'sha256' )
		.update( `${ purpose }\n${ siteId }\n${ blob }` )
		.digest( 'base64url' );
}
