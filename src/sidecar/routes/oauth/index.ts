/**
 * A doctor's Google connection: the site's OAuth client secret sealed, the consent URL, the code
 * exchanged for a sealed credential, the grant revoked, the connection tested link by link, and
 * which sealed blobs the current keyring opens.
 */
import type { FastifyPluginAsync } from 'fastify';
import { FREEBUSY_SCOPE } from '../../calendars/busy';
import { CALENDAR_CHOICE_SCOPES } from '../../calendars/calendars';
import { testConnection } from '../../oauth/connection-test';
import {
	authorizeUrl,
	exchangeCode,
	openClient,
	revoke,
	sealClientSecret,
	type ClientInput,
} from '../../oauth/flow';
import {
	authorizeUrlBody,
	clientSealBody,
	connectionTestBody,
	exchangeBody,
	revokeBody,
	sealedCheckBody,
} from '../../schemas/oauth';
import { checkSealed } from '../../sealing/check';

interface SiteClient {
	siteId: string;
	client: ClientInput;
}

/** Scopes asked on top of the usual ones (incremental consent). */
const accessScopes = ( access?: string | null ): string[] => {
	if ( access === 'calendars' ) {
		return CALENDAR_CHOICE_SCOPES;
	}
	return access === 'busy' ? [ FREEBUSY_SCOPE ] : [];
};

const oauth: FastifyPluginAsync = async ( app ) => {
	const { ctx } = app;

	app.post< { Body: { siteId: string; clientSecret: string } } >(
		'/v1/oauth/client/seal',
		{ schema: { body: clientSealBody } },
		async ( { body } ) => ( {
			clientSecret: sealClientSecret(
				ctx,
				body.siteId,
				body.clientSecret
			),
		} )
	);

	app.post< {
		Body: SiteClient & {
			redirectUri: string;
			state: string;
			loginHint?: string | null;
			access?: 'calendars' | 'busy' | null;
		};
	} >(
		'/v1/oauth/authorize-url',
		{ schema: { body: authorizeUrlBody } },
		async ( { body } ) => ( {
			url: await authorizeUrl(
				ctx,
				openClient( ctx, body.siteId, body.client ),
				body.redirectUri,
				body.state,
				body.loginHint ?? undefined,
				accessScopes( body.access )
			),
		} )
	);

	app.post< { Body: SiteClient & { redirectUri: string; code: string } } >(
		'/v1/oauth/exchange',
		{ schema: { body: exchangeBody } },
		async ( { body } ) =>
			exchangeCode(
				ctx,
				body.siteId,
				openClient( ctx, body.siteId, body.client ),
				body.redirectUri,
				body.code
			)
	);

	app.post< { Body: SiteClient & { credential: string } } >(
		'/v1/oauth/revoke',
		{ schema: { body: revokeBody } },
		async ( { body } ) =>
			revoke(
				ctx,
				body.siteId,
				openClient( ctx, body.siteId, body.client ),
				body.credential
			)
	);

	app.post< {
		Body: SiteClient & {
			credential?: string | null;
			calendarId?: string | null;
			probe?: boolean | null;
		};
	} >(
		'/v1/connection/test',
		{ schema: { body: connectionTestBody } },
		async ( { body } ) =>
			testConnection( ctx, {
				siteId: body.siteId,
				client: openClient( ctx, body.siteId, body.client ),
				...( body.credential ? { credential: body.credential } : {} ),
				calendarId: body.calendarId ?? 'primary',
				probe: body.probe === true,
			} )
	);

	app.post< {
		Body: {
			siteId: string;
			clientSecret?: string | null;
			credentials?: string[] | null;
		};
	} >(
		'/v1/sealed/check',
		{ schema: { body: sealedCheckBody } },
		async ( { body } ) =>
			checkSealed( ctx.sealer, body.siteId, {
				clientSecret: body.clientSecret ?? null,
				credentials: body.credentials ?? [],
			} )
	);
};

export default oauth;
