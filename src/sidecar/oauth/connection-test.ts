/**
 * "Test connection": each link of the chain checked on its own, so the admin sees which one is
 * broken. A failed check is a result, not an error.
 */
import { randomBytes } from 'node:crypto';
import type { SidecarContext } from '../context';
import { SidecarError, type ErrorCode } from '../errors';
import { base32hex } from '../meetings/event-id';
import type { OAuthClientInfo } from '../google/api';
import { GoogleCallError } from '../google/caller';
import { toSidecarError } from '../google/errors';
import { GoogleSession } from '../google/session';
import { conferenceStatus } from '../meetings/event';

export interface Check {
	id: 'client' | 'token' | 'calendar' | 'meet' | 'probe';
	ok: boolean;
	message: string;
	code?: ErrorCode;
	/** false when the check could not be decided (e.g. the grant does not allow reading calendar settings). */
	verified?: boolean;
	/** api_disabled: the Cloud console page where the API is enabled. */
	activationUrl?: string;
}

export interface ConnectionResult {
	ok: boolean;
	checks: Check[];
	account?: { email: string };
	credential?: string;
}

const failed = ( id: Check[ 'id' ], error: unknown ): Check => {
	if ( error instanceof SidecarError ) {
		const { activationUrl } = error.details;
		return {
			id,
			ok: false,
			message: error.message,
			code: error.code,
			...( activationUrl ? { activationUrl } : {} ),
		};
	}
	throw error;
};

async function checkClient(
	ctx: SidecarContext,
	client: OAuthClientInfo
): Promise< Check > {
	const api = await ctx.google();
	try {
		await ctx.caller.run(
			'oauth.client_check',
			{},
			Date.now() + ctx.config.retryBudgetMs,
			() => api.probeClient( client, 'http://127.0.0.1/mfk-client-check' )
		);
		return {
			id: 'client',
			ok: true,
			message: 'Google accepted the OAuth client.',
		};
	} catch ( error ) {
		if ( error instanceof GoogleCallError ) {
			const f = error.failure;
			// The made-up code is refused only after the client was authenticated.
			if (
				f.oauthError === 'invalid_grant' ||
				f.oauthError === 'redirect_uri_mismatch'
			) {
				return {
					id: 'client',
					ok: true,
					message: 'Google accepted the OAuth client.',
				};
			}
			return failed(
				'client',
				toSidecarError( f, 'other', error.exhausted )
			);
		}
		throw error;
	}
}

export async function testConnection(
	ctx: SidecarContext,
	input: {
		siteId: string;
		client: OAuthClientInfo;
		credential?: string;
		calendarId: string;
		probe: boolean;
	}
): Promise< ConnectionResult > {
	const checks: Check[] = [ await checkClient( ctx, input.client ) ];
	const result: ConnectionResult = { ok: false, checks };
	if ( input.credential ) {
		await checkCredential(
			ctx,
			input as typeof input & { credential: string },
			result
		);
	}
	result.ok = checks.every( ( c ) => c.ok );
	return result;
}

async function checkCredential(
	ctx: SidecarContext,
	input: {
		siteId: string;
		client: OAuthClientInfo;
		credential: string;
		calendarId: string;
		probe: boolean;
	},
	result: ConnectionResult
): Promise< void > {
	const { checks } = result;
	let session: GoogleSession;
	try {
		session = await GoogleSession.open(
			ctx,
			input.siteId,
			input.client,
			input.credential
		);
		result.account = { email: session.email };
		// Force a refresh: the point is to prove the refresh token still works.
		await session.accessToken( true );
		checks.push( {
			id: 'token',
			ok: true,
			message: `Connected as ${ session.email }; the refresh token works.`,
		} );
	} catch ( error ) {
		checks.push( failed( 'token', error ) );
		return;
	}
	const update = () => {
		const c = session.credentialUpdate();
		if ( c ) {
			result.credential = c;
		}
	};
	update();
	const calendarId = input.calendarId;
	try {
		await session.calendar( 'events.list', 'calendar', ( auth ) =>
			session.api.calendar.events.list( {
				calendarId,
				maxResults: 1,
				auth,
			} )
		);
		checks.push( {
			id: 'calendar',
			ok: true,
			message: `The calendar "${ calendarId }" is reachable.`,
		} );
	} catch ( error ) {
		checks.push( failed( 'calendar', error ) );
		return;
	}
	let meet: Check;
	try {
		const cal = (
			await session.calendar( 'calendars.get', 'calendar', ( auth ) =>
				session.api.calendar.calendars.get( { calendarId, auth } )
			)
		).data;
		const allowed =
			cal.conferenceProperties?.allowedConferenceSolutionTypes ?? [];
		meet = allowed.includes( 'hangoutsMeet' )
			? {
					id: 'meet',
					ok: true,
					message: 'Google Meet is allowed on this calendar.',
				}
			: {
					id: 'meet',
					ok: false,
					code: 'conference_not_allowed',
					message:
						'This calendar does not allow Google Meet (the Workspace administrator may have disabled it).',
				};
	} catch ( error ) {
		if ( ! (
			error instanceof SidecarError && error.code === 'insufficient_scope'
		) ) {
			meet = failed( 'meet', error );
		} else {
			// calendar.events does not grant reading calendar settings; only a probe can tell.
			meet = {
				id: 'meet',
				ok: true,
				verified: false,
				message:
					'Google Meet availability cannot be read with the calendar.events permission; run the probe to confirm it.',
			};
		}
	}
	checks.push( meet );
	if ( input.probe ) {
		const probe = await runProbe( session, calendarId );
		checks.push( probe );
		if ( meet.verified === false ) {
			meet.verified = true;
			meet.ok = probe.ok || probe.code !== 'conference_not_allowed';
			meet.message = meet.ok
				? 'Google Meet is allowed on this calendar (the probe created a conference).'
				: probe.message;
			if ( ! meet.ok && probe.code ) {
				meet.code = probe.code;
			}
		}
	}
	update();
}

/** Creates a real event with Meet, waits for the link, deletes it again (no notifications). */
async function runProbe(
	session: GoogleSession,
	calendarId: string
): Promise< Check > {
	const eventId = 'mfkprobe' + base32hex( randomBytes( 15 ) );
	const start = new Date( Date.now() + 24 * 3600 * 1000 );
	const end = new Date( start.getTime() + 15 * 60 * 1000 );
	const api = session.api;
	let created = false;
	try {
		let event = (
			await session.calendar( 'events.insert', 'calendar', ( auth ) =>
				api.calendar.events.insert( {
					calendarId,
					conferenceDataVersion: 1,
					sendUpdates: 'none',
					requestBody: {
						id: eventId,
						summary: 'Meet for KiviCare connection test',
						visibility: 'private',
						start: {
							dateTime: start.toISOString(),
							timeZone: 'UTC',
						},
						end: { dateTime: end.toISOString(), timeZone: 'UTC' },
						conferenceData: {
							createRequest: {
								requestId: `${ eventId }-0`,
								conferenceSolutionKey: { type: 'hangoutsMeet' },
							},
						},
					},
					auth,
				} )
			)
		).data;
		created = true;
		const until = Date.now() + 5000;
		while (
			conferenceStatus( event ) === 'pending' &&
			Date.now() < until
		) {
			await new Promise( ( resolve ) => setTimeout( resolve, 300 ) );
			event = (
				await session.calendar( 'events.get', 'event', ( auth ) =>
					api.calendar.events.get( { calendarId, eventId, auth } )
				)
			).data;
		}
		const status = conferenceStatus( event );
		if ( status === 'success' ) {
			// Only a test meeting that is gone again proves the whole round trip.
			const removed = await removeProbe( session, calendarId, eventId );
			created = false;
			return removed
				? {
						id: 'probe',
						ok: true,
						message:
							'A test event with a Google Meet link was created and deleted.',
					}
				: {
						id: 'probe',
						ok: false,
						code: 'google_error',
						message:
							'A test event with a Google Meet link was created but could not be deleted: delete "Meet for KiviCare connection test" from the calendar by hand.',
					};
		}
		return {
			id: 'probe',
			ok: false,
			code: 'conference_failed',
			message:
				status === 'pending'
					? 'Google did not finish creating the test conference within 5 seconds.'
					: 'Google could not create the test conference.',
		};
	} catch ( error ) {
		return failed( 'probe', error );
	} finally {
		if ( created ) {
			// Best effort after a failure: the test event is private, sent to nobody and named as a test.
			await removeProbe( session, calendarId, eventId );
		}
	}
}

async function removeProbe(
	session: GoogleSession,
	calendarId: string,
	eventId: string
): Promise< boolean > {
	try {
		await session.calendar( 'events.delete', 'event', ( auth ) =>
			session.api.calendar.events.delete( {
				calendarId,
				eventId,
				sendUpdates: 'none',
				auth,
			} )
		);
		return true;
	} catch {
		return false;
	}
}
