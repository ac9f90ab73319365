/**
 * The authorization endpoint (`/o/oauth2/v2/auth`, and the older `/o/oauth2/auth`): checks the
 * request as Google does, then shows the consent page. Errors about the client or the redirect
 * URI are an error page (never a redirect to an unchecked URI); later errors go back to the
 * redirect URI.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Outcome } from '../pipeline/outcome';
import { run } from '../pipeline/run';
import { first, type Params } from '../shared/query';
import type { EmulatorState } from '../state';
import { redirectAllowed } from './clients';
import { consentPage } from './consent-page';
import { errorHtml, html, redirect, withParams } from './page-answers';
import { KNOWN_SCOPE, SCOPE_ALIASES } from './scopes';

const DEFAULT_EMAIL = 'doctor@example.test';

const missing = ( name: string ) =>
	errorHtml(
		400,
		'invalid_request',
		`Missing required parameter: ${ name }`
	);

function authorize( state: EmulatorState, q: Params ): Outcome {
	const clientId = first( q, 'client_id' );
	if ( ! clientId ) {
		return missing( 'client_id' );
	}
	const client = state.auth.clients.get( clientId );
	if ( ! client ) {
		return errorHtml(
			401,
			'invalid_client',
			'The OAuth client was not found.'
		);
	}
	const redirectUri = first( q, 'redirect_uri' );
	if ( ! redirectUri ) {
		return missing( 'redirect_uri' );
	}
	if ( ! redirectAllowed( client, redirectUri ) ) {
		return errorHtml(
			400,
			'redirect_uri_mismatch',
			`You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${ redirectUri }`
		);
	}
	// From here on, errors go back to the (valid) redirect URI, as Google does.
	const state_ = first( q, 'state' );
	if ( first( q, 'response_type' ) !== 'code' ) {
		return redirect(
			withParams( redirectUri, {
				error: 'unsupported_response_type',
				error_description: 'Only response_type=code is supported.',
				state: state_,
			} )
		);
	}
	const raw = ( first( q, 'scope' ) ?? '' ).split( /\s+/ ).filter( Boolean );
	if ( raw.length === 0 ) {
		return missing( 'scope' );
	}
	const unknown = raw.find( ( s ) => ! KNOWN_SCOPE.test( s ) );
	if ( unknown ) {
		return errorHtml(
			400,
			'invalid_scope',
			`Some requested scopes were invalid. {invalid=[${ unknown }]}`
		);
	}
	const scopes = [
		...new Set( raw.map( ( s ) => SCOPE_ALIASES[ s ] ?? s ) ),
	];
	const accessType = first( q, 'access_type' ) ?? 'online';
	if ( accessType !== 'online' && accessType !== 'offline' ) {
		return errorHtml(
			400,
			'invalid_request',
			`Invalid access_type: ${ accessType }`
		);
	}
	const prompt = ( first( q, 'prompt' ) ?? '' ).split( /\s+/ );
	const loginHint = first( q, 'login_hint' );
	const pending = state.auth.requests.addPending( {
		clientId,
		redirectUri,
		scopes,
		...( state_ !== undefined ? { state: state_ } : {} ),
		offline: accessType === 'offline',
		forceConsent: prompt.includes( 'consent' ),
		includeGrantedScopes: first( q, 'include_granted_scopes' ) === 'true',
		...( loginHint ? { loginHint } : {} ),
	} );
	return html(
		200,
		consentPage( {
			pendingId: pending.id,
			clientId,
			email:
				loginHint && loginHint.includes( '@' )
					? loginHint
					: DEFAULT_EMAIL,
			scopes,
			redirectHost: new URL( redirectUri ).host,
		} )
	);
}

export function authorizeRoute(
	app: FastifyInstance,
	state: EmulatorState
): void {
	for ( const url of [ '/o/oauth2/v2/auth', '/o/oauth2/auth' ] ) {
		app.get( url, ( request: FastifyRequest, reply ) =>
			run(
				state,
				request,
				reply,
				'oauth',
				'oauth.authorize',
				() => ( {} ),
				() => authorize( state, request.query as Params )
			)
		);
	}
}
