/**
 * `/v1/batch`: many meeting operations at once, as fast as Google's quota allows. Operations are
 * interleaved across Google accounts; a worker takes the next operation whose account is not
 * paused by a rate-limit answer and has a free slot, so one throttled doctor does not hold up the
 * others. Several cancellations of one account go to Google in batch requests (cancel-batch.ts),
 * and so do several ensures of one account (ensure-batch.ts: a backfill, a resync).
 * Operations that could not start within the batch's budget are answered `rate_limited`.
 */
import type { SidecarContext } from '../context';
import {
	errorBody,
	internalError,
	invalidRequest,
	SidecarError,
	type ErrorBody,
	type FieldError,
} from '../errors';
import { runMeetingOp, type MeetingBody } from '../meetings/operations';
import { cancelInBatches } from './cancel-batch';
import { ensureInBatches } from './ensure-batch';
import type { MeetingOp } from '../schemas/meetings';

export interface BatchOperation {
	op: MeetingOp;
	id: string;
	[ key: string ]: unknown;
}

export type BatchResult =
	| { id: string; ok: true; result: object }
	| {
			id: string;
			ok: false;
			error: Omit< ErrorBody, 'credential' > & { credential?: string };
	  };

/** Field errors of one operation against its meeting route's schema, or null when it is valid. */
export type Validate = ( operation: BatchOperation ) => FieldError[] | null;

interface Job {
	index: number;
	operation: BatchOperation;
	account: string;
}

const DEFAULT_BUDGET_MS = 30000;

export async function runBatch(
	ctx: SidecarContext,
	operations: BatchOperation[],
	validate: Validate,
	budgetMs = DEFAULT_BUDGET_MS
): Promise< BatchResult[] > {
	const results: BatchResult[] = new Array( operations.length );
	const fail = ( index: number, error: unknown ) => {
		const op = operations[ index ] as BatchOperation;
		const e =
			error instanceof SidecarError
				? error
				: internalError( ctx.log, error );
		results[ index ] = { id: op.id, ok: false, error: errorBody( e ) };
	};

	// Group by Google account (invalid operations are answered at once).
	const queues = new Map< string, Job[] >();
	operations.forEach( ( operation, index ) => {
		const errors = validate( operation );
		if ( errors ) {
			fail(
				index,
				invalidRequest(
					errors,
					`Operation "${ operation.id }" is invalid`
				)
			);
			return;
		}
		const body = operation as unknown as MeetingBody;
		let account: string;
		try {
			const { credential } = ctx.opened.credential(
				body.siteId,
				body.credential
			);
			account = `user:${ body.client.clientId }:${ credential.email }`;
		} catch ( error ) {
			fail( index, error );
			return;
		}
		const queue = queues.get( account ) ?? [];
		queue.push( { index, operation, account } );
		queues.set( account, queue );
	} );

	// An account's cancellations, and its ensures, go to Google in batch requests when there are
	// several of them.
	const stopStartingAt = Date.now() + budgetMs;
	const outcome = {
		done: ( index: number, result: object ) => {
			results[ index ] = {
				id: ( operations[ index ] as BatchOperation ).id,
				ok: true,
				result,
			};
		},
		fail,
		notStarted: ( index: number ) =>
			fail(
				index,
				new SidecarError(
					'rate_limited',
					'Not started: Google is pacing this account; retry later.',
					{ retryAfterMs: 1000 }
				)
			),
	};
	const groups: Promise< void >[] = [];
	for ( const [ account, queue ] of queues ) {
		for ( const op of [ 'cancel', 'ensure' ] as const ) {
			const jobs = ( queues.get( account ) ?? queue ).filter(
				( job ) => job.operation.op === op
			);
			if ( jobs.length < 2 ) {
				continue;
			}
			queues.set(
				account,
				( queues.get( account ) ?? queue ).filter(
					( job ) => job.operation.op !== op
				)
			);
			const grouped = jobs.map( ( job ) => ( {
				index: job.index,
				body: job.operation as unknown as MeetingBody,
			} ) );
			groups.push(
				op === 'cancel'
					? cancelInBatches( ctx, grouped, stopStartingAt, outcome )
					: ensureInBatches( ctx, grouped, stopStartingAt, outcome )
			);
		}
	}
	const queued = [ ...queues.values() ].reduce(
		( n, queue ) => n + queue.length,
		0
	);

	// Round-robin order across accounts.
	const pending: Job[] = [];
	for ( let round = 0; pending.length < queued; round++ ) {
		let added = false;
		for ( const queue of queues.values() ) {
			const job = queue[ round ];
			if ( job ) {
				pending.push( job );
				added = true;
			}
		}
		if ( ! added ) {
			break;
		}
	}

	// A worker takes the first pending job whose account is neither paused nor already running as
	// many operations as the pacer allows for it.
	const running = new Map< string, number >();
	const keysOf = ( job: Job ) => ( {
		user: job.account,
		project: `project:${ ( job.operation as unknown as MeetingBody ).client.clientId }`,
	} );
	const next = async (): Promise< Job | undefined > => {
		for (;;) {
			if ( pending.length === 0 || Date.now() >= stopStartingAt ) {
				return undefined;
			}
			const index = pending.findIndex(
				( job ) =>
					( running.get( job.account ) ?? 0 ) <
						ctx.pacer.parallelism( job.account ) &&
					ctx.pacer.available( keysOf( job ) )
			);
			if ( index >= 0 ) {
				const [ job ] = pending.splice( index, 1 ) as [ Job ];
				running.set(
					job.account,
					( running.get( job.account ) ?? 0 ) + 1
				);
				return job;
			}
			await new Promise( ( resolve ) => setTimeout( resolve, 20 ) );
		}
	};
	const worker = async () => {
		for ( let job = await next(); job; job = await next() ) {
			try {
				results[ job.index ] = {
					id: job.operation.id,
					ok: true,
					result: await runMeetingOp(
						ctx,
						job.operation.op,
						job.operation as unknown as MeetingBody
					),
				};
			} catch ( error ) {
				fail( job.index, error );
			} finally {
				running.set(
					job.account,
					( running.get( job.account ) ?? 1 ) - 1
				);
			}
		}
	};
	await Promise.all( [
		...Array.from(
			{ length: Math.min( ctx.config.batchConcurrency, pending.length ) },
			worker
		),
		...groups,
	] );

	// Whatever could not start within the budget: Google is pacing those accounts.
	for ( const job of pending ) {
		const wait = ctx.pacer.pauseRemaining( { user: job.account } );
		fail(
			job.index,
			new SidecarError(
				'rate_limited',
				'Not started: Google is pacing this account; retry later.',
				{ retryAfterMs: Math.max( wait, 1000 ) }
			)
		);
	}
	return results;
}
