/**
 * Who signed a request, and with which secret. A single-site sidecar knows one secret
 * (MFK_SHARED_SECRET). A hosted sidecar derives each site's secret from the site id and master
 * key id the request names (`X-MFK-Site`, `X-MFK-Key-Id`; tenancy/enrolment.ts): a site can only
 * sign as itself, and nothing is looked up anywhere.
 */
import type { SidecarConfig } from '../config/env';
import type { SealKey } from '../sealing/sealer';
import { SITE_ID_PATTERN, siteSecret } from './enrolment';

export type Signer =
	| { ok: true; siteId: string | null; kid: string | null; secret: string }
	| { ok: false; failure: 'site_header' | 'key_id'; reason: string };

type Headers = Record< string, string | string[] | undefined >;

const one = ( headers: Headers, name: string ) => {
	const value = headers[ name ];
	return typeof value === 'string' ? value : undefined;
};

export class SiteKeys {
	private readonly masters: Map< string, Buffer > | null;

	constructor( private readonly config: SidecarConfig ) {
		this.masters = config.hosted
			? new Map(
					config.hosted.masterKeys.map( ( k: SealKey ) => [
						k.kid,
						k.key,
					] )
				)
			: null;
	}

	get hosted(): boolean {
		return this.masters !== null;
	}

	/** The secret a request's signature must be made with. */
	signer( headers: Headers ): Signer {
		if ( ! this.masters ) {
			return {
				ok: true,
				siteId: null,
				kid: null,
				secret: this.config.sharedSecret,
			};
		}
		const siteId = one( headers, 'x-mfk-site' );
		const kid = one( headers, 'x-mfk-key-id' );
		if ( ! siteId || ! kid || ! SITE_ID_PATTERN.test( siteId ) ) {
			return {
				ok: false,
				failure: 'site_header',
				reason: 'this sidecar serves enrolled sites: X-MFK-Site and X-MFK-Key-Id headers are required (configure the enrolment key in WordPress)',
			};
		}
		const master = this.masters.get( kid );
		if ( ! master ) {
			return {
				ok: false,
				failure: 'key_id',
				reason: 'the enrolment key was issued under a master key this sidecar no longer holds (ask the operator for a new enrolment key)',
			};
		}
		return { ok: true, siteId, kid, secret: siteSecret( master, siteId ) };
	}
}
