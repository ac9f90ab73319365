/**
 * Which of a site's sealed blobs this sidecar can open, without calling Google: WordPress asks
 * after a `seal_key_unknown` answer to count the doctors concerned, and again later to learn
 * when the previous key is back. Blobs are opened from scratch (never from the memory of opened
 * blobs), so the answer is about the keyring as it is now.
 */
import { SidecarError } from '../errors';
import { openCredential } from './credential';
import type { Sealer } from './sealer';

export interface SealedCheck {
	ok: boolean;
	/** Key id the blob names, when it has the blob format. */
	kid?: string;
	/** Opened under an older key: re-sealed under the current one when next used. */
	stale?: boolean;
	/** Why it did not open: `seal_key_unknown` or `credential_invalid`. */
	code?: string;
}

function check( open: () => { kid: string; stale: boolean } ): SealedCheck {
	try {
		const { kid, stale } = open();
		return { ok: true, kid, stale };
	} catch ( error ) {
		if ( ! ( error instanceof SidecarError ) ) {
			throw error;
		}
		return {
			ok: false,
			code: error.code,
			...( error.details.kid ? { kid: error.details.kid } : {} ),
		};
	}
}

export function checkSealed(
	sealer: Sealer,
	siteId: string,
	blobs: { clientSecret?: string | null; credentials?: string[] | null }
): {
	clientSecret?: SealedCheck;
	credentials: SealedCheck[];
	currentKid: string;
} {
	const answer: {
		clientSecret?: SealedCheck;
		credentials: SealedCheck[];
		currentKid: string;
	} = {
		credentials: ( blobs.credentials ?? [] ).map( ( blob ) =>
			check( () => {
				const opened = openCredential( sealer, siteId, blob );
				return {
					kid: blob.split( '.' )[ 1 ] ?? '',
					stale: opened.stale,
				};
			} )
		),
		currentKid: sealer.currentKid,
	};
	if ( blobs.clientSecret ) {
		const secret = blobs.clientSecret;
		answer.clientSecret = check( () =>
			sealer.open( secret, 'client_secret', siteId )
		);
	}
	return answer;
}
