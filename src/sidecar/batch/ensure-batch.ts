/**
 * Many `ensure` operations for one doctor (a backfill, the resync after a doctor reconnects)
 * through Google's batch endpoint. Each operation runs the single route's code (Meetings.ensure);
 * only its first Google call is sent in a batch request together with the first calls of the
 * others: insert-first with the deterministic id for an event WordPress does not know, a
 * conditional patch (If-Match) or a read for one it knows. Each inner call takes a quota token
 * like any other. A part that fails with a retryable answer (503, 429, 403 rate limit) is retried
 * on its own in a later request after its backoff; any other answer goes back to the operation,
 * which carries on as the single route does (a 409 adopts the event, a 404 on a known event
 * creates it again, a 412 re-reads it, a 400 is the operation's error), its further calls made
 * one by one. Answers have the shape of the single `ensure` route's.
 */
import type { SidecarContext } from '../context';
import { SidecarError } from '../errors';
import { retryPart, type BatchCall } from '../google/batch';
import { toSidecarError, type GoogleFailure } from '../google/errors';
import type { Event } from '../meetings/event';
import { Meetings, type FirstCall } from '../meetings/meetings';
import {
	ensureInputOf,
	withSession,
	type MeetingBody,
} from '../meetings/operations';

export interface EnsureJob {
	index: number;
	body: MeetingBody;
}

export interface EnsureOutcome {
	done: ( index: number, result: object ) => void;
	fail: ( index: number, error: unknown ) => void;
	/** Not started before `stopStartingAt` (the batch's budget). */
	notStarted: ( index: number ) => void;
}

interface Part {
	index: number;
	call: FirstCall;
	resolve: ( event: Event ) => void;
	reject: ( error: unknown ) => void;
	/** Retries made so far. */
	attempt: number;
	notBefore: number;
	failure?: GoogleFailure;
}

/** The operation's first call was never sent: the budget ran out first. */
class NotStarted extends Error {}

const sleep = ( ms: number ) =>
	new Promise( ( resolve ) => setTimeout( resolve, ms ) );

/** The batch part of `call`: the path and parameters the Calendar client would send. */
export function batchCallOf( apiRoot: string, call: FirstCall ): BatchCall {
	const root = new URL( 'calendar/v3/', apiRoot ).pathname;
	const events = `${ root }calendars/${ encodeURIComponent(
		call.calendarId
	) }/events`;
	if ( call.method === 'events.insert' ) {
		return {
			method: 'POST',
			path: events,
			query: call.params,
			body: call.body,
		};
	}
	return {
		method: call.method === 'events.patch' ? 'PATCH' : 'GET',
		path: `${ events }/${ encodeURIComponent( call.eventId ?? '' ) }`,
		query: call.params,
		...( call.etag ? { headers: { 'If-Match': call.etag } } : {} ),
		...( call.method === 'events.patch' ? { body: call.body } : {} ),
	};
}

export async function ensureInBatches(
	ctx: SidecarContext,
	jobs: EnsureJob[],
	stopStartingAt: number,
	out: EnsureOutcome
): Promise< void > {
	const first = jobs[ 0 ];
	if ( ! first ) {
		return;
	}
	const policy = {
		baseMs: ctx.config.retryBaseMs,
		maxDelayMs: ctx.config.retryMaxDelayMs,
	};
	const answers = new Map< number, object >();
	const settled = new Set< number >();
	const fail = ( index: number, error: unknown ) => {
		settled.add( index );
		if ( error instanceof NotStarted ) {
			out.notStarted( index );
		} else {
			out.fail( index, error );
		}
	};
	let credential: string | undefined;
	try {
		await withSession( ctx, first.body, async ( session ) => {
			const pending: Part[] = [];
			const running: Promise< void >[] = [];
			for ( const job of jobs ) {
				let input;
				try {
					input = ensureInputOf( job.body );
				} catch ( error ) {
					fail( job.index, error );
					continue;
				}
				const meetings = new Meetings(
					session,
					( call ) =>
						new Promise< Event >( ( resolve, reject ) => {
							pending.push( {
								index: job.index,
								call,
								resolve,
								reject,
								attempt: 0,
								notBefore: 0,
							} );
						} )
				);
				running.push(
					meetings.ensure( input ).then(
						( answer ) => {
							answers.set( job.index, answer );
							settled.add( job.index );
						},
						( error ) => {
							if (
								error instanceof SidecarError &&
								error.code !== 'token_revoked' &&
								error.code !== 'credential_invalid' &&
								error.code !== 'seal_key_unknown'
							) {
								const update = session.credentialUpdate();
								if ( update ) {
									error.details.credential = update;
								}
							}
							fail( job.index, error );
						}
					)
				);
			}
			// Every operation has asked for its first call by now (it is its first await).
			await new Promise( ( resolve ) => setImmediate( resolve ) );

			const stopAt = stopStartingAt;
			let chunk: Part[] = [];
			try {
				while ( pending.length > 0 ) {
					const now = Date.now();
					const next = Math.min(
						...pending.map( ( p ) => p.notBefore )
					);
					if ( Math.max( now, next ) >= stopAt ) {
						break;
					}
					if ( next > now ) {
						await sleep( next - now );
						continue;
					}
					chunk = pending
						.filter( ( p ) => p.notBefore <= now )
						.slice( 0, ctx.pacer.batchLimit( session.paceKeys ) );
					for ( const p of chunk ) {
						pending.splice( pending.indexOf( p ), 1 );
					}
					// Each request (and what its operations do next) gets a single operation's budget.
					session.renewDeadline();
					const parts = await session.calendarBatch(
						chunk.map( ( p ) =>
							batchCallOf( ctx.config.google.apiRoot, p.call )
						)
					);
					parts.forEach( ( part, i ) => {
						const p = chunk[ i ] as Part;
						if ( part.status >= 200 && part.status < 300 ) {
							p.resolve( part.data as Event );
							return;
						}
						const context =
							p.call.method === 'events.insert'
								? 'calendar'
								: 'event';
						const again = retryPart( part, {
							policy,
							attempt: p.attempt,
							deadline: session.deadline,
							context,
						} );
						if ( 'error' in again ) {
							// Not retryable: the operation carries on from this answer (409 adopt,
							// 404 recreate, …); or no time left for the backoff.
							p.reject( again.error );
							return;
						}
						pending.push( {
							...p,
							attempt: p.attempt + 1,
							notBefore: Date.now() + again.delayMs,
							failure: again.failure,
						} );
					} );
					chunk = [];
				}
			} catch ( error ) {
				// The batch request failed as a whole (after its own retries): every first call
				// not answered yet gets that error.
				for ( const p of [ ...chunk, ...pending.splice( 0 ) ] ) {
					p.reject( error );
				}
			}
			// Out of time: what failed before is answered with its failure, the rest not started.
			for ( const p of pending.splice( 0 ) ) {
				p.reject(
					p.failure
						? toSidecarError(
								p.failure,
								p.call.method === 'events.insert'
									? 'calendar'
									: 'event',
								true
							)
						: new NotStarted()
				);
			}
			await Promise.all( running );
			return {};
		} ).then( ( r: { credential?: string } ) => {
			credential = r.credential;
		} );
	} catch ( error ) {
		// The session could not open.
		credential = ( error as SidecarError ).details?.credential as
			string | undefined;
		for ( const job of jobs ) {
			if ( ! settled.has( job.index ) ) {
				fail( job.index, error );
			}
		}
	}
	for ( const [ index, result ] of answers ) {
		out.done( index, credential ? { ...result, credential } : result );
	}
}
