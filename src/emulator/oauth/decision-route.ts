/**
 * The consent page's form answer: "Allow" records the consent and redirects with a code (the
 * account and its primary calendar are created on first use); "Deny" redirects with
 * `error=access_denied`. Unticked scopes are not granted (Google's granular consent).
 */
import type { FastifyInstance } from 'fastify';
import type { Outcome } from '../pipeline/outcome';
import { run } from '../pipeline/run';
import { all, first, type Params } from '../shared/query';
import { isEmail } from '../shared/values';
import type { EmulatorState } from '../state';
import { DECISION_PATH } from './consent-page';
import { errorHtml, redirect, withParams } from './page-answers';
import { consentRefusal } from './project';
import { BASIC_SCOPES } from './scopes';

function decide( state: EmulatorState, body: Params, email: string ): Outcome {
	const pending = state.auth.requests.takePending(
		first( body, 'request' ) ?? ''
	);
	if ( ! pending ) {
		return errorHtml(
			400,
			'invalid_request',
			'This sign-in request has expired or was already used. Start again.'
		);
	}
	if ( first( body, 'decision' ) !== 'allow' ) {
		return redirect(
			withParams( pending.redirectUri, {
				error: 'access_denied',
				state: pending.state,
			} )
		);
	}
	if ( ! isEmail( email ) ) {
		return errorHtml(
			400,
			'invalid_request',
			'Enter a valid e-mail address.'
		);
	}
	// Google refuses the account itself (Testing without it as a test user, an Internal app
	// outside the organisation) on its own page, before any consent is recorded.
	const project = state.auth.clients.get( pending.clientId )?.project;
	const refusal = project && consentRefusal( project, email );
	if ( refusal ) {
		return errorHtml( refusal.status, refusal.error, refusal.description );
	}
	const ticked = new Set( all( body, 'scope' ) );
	const granted = pending.scopes.filter(
		( s ) => BASIC_SCOPES.has( s ) || ticked.has( s )
	);
	state.calendars.primary( email );
	const code = state.auth.consent( pending, email, granted );
	return redirect(
		withParams( pending.redirectUri, {
			state: pending.state,
			iss: 'https://accounts.google.com',
			code: code.code,
			scope: code.scopes.join( ' ' ),
			authuser: '0',
			prompt: 'consent',
		} )
	);
}

export function decisionRoute(
	app: FastifyInstance,
	state: EmulatorState
): void {
	app.post( DECISION_PATH, ( request, reply ) => {
		const body = ( request.body ?? {} ) as Params;
		const email = ( first( body, 'email' ) ?? '' ).trim().toLowerCase();
		return run(
			state,
			request,
			reply,
			'oauth',
			'oauth.consent',
			() => ( { account: email } ),
			() => decide( state, body, email )
		);
	} );
}
