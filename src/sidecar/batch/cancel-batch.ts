/**
 * Many cancellations for one doctor (disconnecting a doctor with many future meetings, a clinic
 * closing a day) through Google's batch endpoint: `events.delete` calls in batch requests of as
 * many calls as the doctor's share of the quota lets go at once, each call paced like any other.
 * Each call has its own answer: deleted (or already gone: 404/410) is done, a retryable failure
 * is retried on its own in a later request after its backoff, anything else is that operation's
 * error. Answers have the shape of the single `cancel` operation's.
 */
import type { SidecarContext } from '../context';
import type { SidecarError } from '../errors';
import { retryPart, type BatchCall } from '../google/batch';
import { toSidecarError, type GoogleFailure } from '../google/errors';
import { eventIdFor } from '../meetings/event-id';
import { withSession, type MeetingBody } from '../meetings/operations';

export interface CancelJob {
	index: number;
	body: MeetingBody;
}

interface Pending {
	job: CancelJob;
	/** Retries made so far. */
	attempt: number;
	notBefore: number;
	failure?: GoogleFailure;
}

export interface CancelOutcome {
	done: ( index: number, result: object ) => void;
	fail: ( index: number, error: unknown ) => void;
	/** Not started before `stopStartingAt` (the batch's budget). */
	notStarted: ( index: number ) => void;
}

const sleep = ( ms: number ) =>
	new Promise( ( resolve ) => setTimeout( resolve, ms ) );

export async function cancelInBatches(
	ctx: SidecarContext,
	jobs: CancelJob[],
	stopStartingAt: number,
	out: CancelOutcome
): Promise< void > {
	const first = jobs[ 0 ];
	if ( ! first ) {
		return;
	}
	const root = new URL( 'calendar/v3/', ctx.config.google.apiRoot ).pathname;
	const callFor = ( body: MeetingBody ): BatchCall => ( {
		method: 'DELETE',
		path: `${ root }calendars/${ encodeURIComponent(
			body.calendarId ?? 'primary'
		) }/events/${ eventIdFor( body.siteId, body.appointmentId ) }`,
		query: { sendUpdates: body.sendUpdates ?? 'none' },
	} );
	const policy = {
		baseMs: ctx.config.retryBaseMs,
		maxDelayMs: ctx.config.retryMaxDelayMs,
	};
	const answers = new Map< number, object >();
	const failed = new Set< number >();
	const fail = ( index: number, error: unknown ) => {
		failed.add( index );
		out.fail( index, error );
	};
	let credential: string | undefined;
	try {
		await withSession( ctx, first.body, async ( session ) => {
			const pending: Pending[] = jobs.map( ( job ) => ( {
				job,
				attempt: 0,
				notBefore: 0,
			} ) );
			while ( pending.length > 0 ) {
				// The session's budget is renewed per request; the route's own deadline still bounds the loop.
				const stopAt = Math.min( stopStartingAt, session.deadline );
				const now = Date.now();
				const next = Math.min( ...pending.map( ( p ) => p.notBefore ) );
				if ( Math.max( now, next ) >= stopAt ) {
					break;
				}
				if ( next > now ) {
					await sleep( next - now );
					continue;
				}
				const ready = pending.filter( ( p ) => p.notBefore <= now );
				const chunk = ready.slice(
					0,
					ctx.pacer.batchLimit( session.paceKeys )
				);
				for ( const p of chunk ) {
					pending.splice( pending.indexOf( p ), 1 );
				}
				// Each request gets the budget a single cancel would have (as ensure-batch does).
				session.renewDeadline();
				const parts = await session.calendarBatch(
					chunk.map( ( p ) => callFor( p.job.body ) )
				);
				parts.forEach( ( part, i ) => {
					const p = chunk[ i ] as Pending;
					if ( part.status >= 200 && part.status < 300 ) {
						answers.set( p.job.index, {
							cancelled: true,
							existed: true,
						} );
						return;
					}
					// 404: never created (or gone for good); 410: already deleted.
					if ( part.status === 404 || part.status === 410 ) {
						answers.set( p.job.index, {
							cancelled: true,
							existed: false,
						} );
						return;
					}
					const again = retryPart( part, {
						policy,
						attempt: p.attempt,
						deadline: session.deadline,
						context: 'event',
					} );
					if ( 'error' in again ) {
						fail( p.job.index, again.error );
						return;
					}
					pending.push( {
						job: p.job,
						attempt: p.attempt + 1,
						notBefore: Date.now() + again.delayMs,
						failure: again.failure,
					} );
				} );
			}
			// Out of time: what failed before is answered with its failure, the rest not started.
			for ( const p of pending ) {
				if ( p.failure ) {
					fail(
						p.job.index,
						toSidecarError( p.failure, 'event', true )
					);
				} else {
					out.notStarted( p.job.index );
				}
			}
			return {};
		} ).then( ( r: { credential?: string } ) => {
			credential = r.credential;
		} );
	} catch ( error ) {
		// The batch request failed as a whole (after its own retries), or the session could not
		// open: every operation not answered yet gets that error.
		credential = ( error as SidecarError ).details?.credential as
			string | undefined;
		for ( const job of jobs ) {
			if ( ! answers.has( job.index ) && ! failed.has( job.index ) ) {
				out.fail( job.index, error );
			}
		}
	}
	for ( const [ index, result ] of answers ) {
		out.done( index, credential ? { ...result, credential } : result );
	}
}
