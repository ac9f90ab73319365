/**
 * A hosted sidecar fleet serving several sites at once: two replicas behind the round-robin
 * balancer, sharing Redis, in hosted mode (master keys, enrolled sites).
 *
 * - Fairness: three sites (an agency's clinics, one Google project between them) each drain a
 *   backlog of meetings at the same time, each with its own queue runners sending batches of
 *   25 ensures signed as that site, an operation whose answer is `rate_limited` sent again after
 *   the Retry-After it got. Per-site throughput (meetings / time until the site's last meeting
 *   is made) is compared: slowest / fastest; the total time with the quota floor of the shared
 *   project; every calendar is read back for duplicates.
 * - A quiet site's bookings while they drain: the bench WordPress (its own Google project),
 *   enrolled with the same fleet, books through KiviCare (`none`, `ours-default`, `ours-sync`
 *   interleaved) during the drain, and the same before it.
 * - Replay protection in Redis: signed pings to a replica sharing Redis and to one keeping
 *   nonces in memory, interleaved over kept-alive connections; the difference of the p50s.
 */
import './lib/env';
import { randomBytes, randomUUID } from 'node:crypto';
import { quotaFloorSeconds } from '../src/emulator';
import { enrol, formatEnrolmentKey } from '../src/sidecar';
import { parseSealKeys } from '../src/sidecar/sealing/sealer';
import { login } from '../tests/harness/testkit';
import { startRedis } from '../tests/harness/redis';
import { connectDoctor, REDIRECT_URI, times } from '../tests/sidecar/support';
import { book, type Variant } from './booking';
import { freePort, sleep, startSidecarProcess } from './lib/procs';
import type { Figure } from './lib/report';
import { sidecarCaller } from './lib/sidecar-client';
import { round, shuffle, summarize, type Summary } from './lib/stats';
import { php, Sidecars, type World } from './lib/world';
import { sidecarEnv } from '../tests/harness/services';

export interface HostedOptions {
	sites: number;
	meetingsPerSite: number;
	doctorsPerSite: number;
	runnersPerSite: number;
	batchSize: number;
	latencyMs: number;
	perUserPerMinute: number;
	perProjectPerMinute: number;
	pings: number;
	timeoutMs: number;
}

export const HOSTED_DEFAULTS: HostedOptions = {
	sites: 3,
	meetingsPerSite: 1000,
	doctorsPerSite: 10,
	runnersPerSite: 2,
	batchSize: 25,
	latencyMs: 150,
	perUserPerMinute: 600,
	perProjectPerMinute: 10000,
	pings: 2000,
	timeoutMs: 120000,
};

const AGENCY = {
	clientId: 'agency-bench.apps.googleusercontent.com',
	clientSecret: 'agency-bench-client-secret',
};
const QUIET_VARIANTS: Variant[] = [ 'none', 'ours-default', 'ours-sync' ];

interface Meeting {
	appointmentId: number;
	/** Half-hour slot from 2031-01-01, one per meeting of the run. */
	slot: number;
	doctor: number;
	retryAt: number;
}

interface SiteRun {
	siteId: string;
	meetings: number;
	made: number;
	failed: Record< string, number >;
	resent: number;
	seconds: number;
	perSecond: number;
	duplicates: number;
	missing: number;
}

export interface HostedResult {
	options: HostedOptions;
	sites: SiteRun[];
	seconds: number;
	floorSeconds: number;
	ratio: number;
	fairness: number;
	quiet: {
		during: Record< string, Summary >;
		idle: Record< string, Summary >;
	};
	replay: { redis: Summary; memory: Summary; overheadMs: number };
	balancer: Record< string, number >;
}

export async function runHosted(
	world: World,
	overrides: Partial< HostedOptions > = {}
): Promise< HostedResult > {
	const o = { ...HOSTED_DEFAULTS, ...overrides };
	const redis = await startRedis();
	const masterKeys = `m1:${ randomBytes( 32 ).toString( 'base64' ) }`;
	const fleetEnv = {
		MFK_SHARED_SECRET: '',
		MFK_MASTER_KEYS: masterKeys,
		MFK_REDIS_URL: redis.url,
	};
	const fleet = new Sidecars( world.instance, fleetEnv );
	const extra: Array< { stop: () => Promise< void > } > = [];
	try {
		await fleet.start( 2 );
		const fleetUrl = `http://127.0.0.1:${ world.instance.ports.sidecar }`;
		const keys = parseSealKeys( masterKeys );

		// The quiet site: the bench WordPress, now enrolled with the fleet.
		const quietKey = formatEnrolmentKey( enrol( keys, world.siteId ) );
		const signed = await php< boolean >(
			world,
			`$r = MFK_Settings::update( array( 'sidecar_enrolment_key' => $args['key'] ) );
			if ( is_wp_error( $r ) ) { throw new RuntimeException( $r->get_error_message() ); }
			return MFK_Health::sidecar()['signed'];`,
			{ key: quietKey }
		);
		if ( ! signed ) {
			throw new Error(
				'the bench WordPress is not accepted by the fleet'
			);
		}

		// The agency's sites, each with its doctors connected through the fleet.
		await world.google.addClient( {
			...AGENCY,
			redirectUris: [ REDIRECT_URI ],
		} );
		const sites = [];
		for ( let s = 0; s < o.sites; s++ ) {
			const e = enrol( keys, randomUUID() );
			const caller = sidecarCaller( fleetUrl, e.secret, {
				headers: { 'x-mfk-site': e.siteId, 'x-mfk-key-id': e.kid },
			} );
			const call = ( path: string, body?: unknown ) =>
				caller.call( path, body ?? {} );
			const sealed = await call( '/v1/oauth/client/seal', {
				siteId: e.siteId,
				clientSecret: AGENCY.clientSecret,
			} );
			const client = {
				clientId: AGENCY.clientId,
				clientSecret: sealed.body.clientSecret as string,
			};
			const doctors = [];
			for ( let d = 0; d < o.doctorsPerSite; d++ ) {
				doctors.push(
					await connectDoctor(
						call as never,
						e.siteId,
						client,
						`agency-${ s }-doctor-${ d }@bench.test`
					)
				);
			}
			sites.push( { enrolment: e, caller, client, doctors } );
		}

		const session = await login( world.patient );
		const quiet: Record< string, number[] > = {
			none: [],
			'ours-default': [],
			'ours-sync': [],
		};
		const idle: Record< string, number[] > = {
			none: [],
			'ours-default': [],
			'ours-sync': [],
		};
		let slot = 0;
		await world.google.config( {
			latencyMs: o.latencyMs,
			latencyJitterMs: 0,
			conferenceDelayMs: 0,
			rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
		} );
		for ( let r = 0; r < 10; r++ ) {
			for ( const v of shuffle( [ ...QUIET_VARIANTS ] ) ) {
				const b = await book( session, world, v, slot++, 400 );
				if ( r >= 2 ) {
					idle[ v ]!.push( b.ms );
				}
			}
		}

		await world.google.clearCounters();
		await world.google.config( {
			rateLimits: {
				perUserPerMinute: o.perUserPerMinute,
				perProjectPerMinute: o.perProjectPerMinute,
			},
		} );
		const started = Date.now();
		const deadline = started + o.timeoutMs;
		let draining = true;
		const drains = sites.map( async ( site, s ) => {
			const pending: Meeting[] = Array.from(
				{ length: o.meetingsPerSite },
				( _, i ) => ( {
					appointmentId: s * 1000000 + i + 1,
					slot: s * o.meetingsPerSite + i,
					doctor: i % o.doctorsPerSite,
					retryAt: 0,
				} )
			);
			const run: SiteRun = {
				siteId: site.enrolment.siteId,
				meetings: o.meetingsPerSite,
				made: 0,
				failed: {},
				resent: 0,
				seconds: 0,
				perSecond: 0,
				duplicates: 0,
				missing: 0,
			};
			const runner = async () => {
				while ( pending.length > 0 && Date.now() < deadline ) {
					const now = Date.now();
					const batch: Meeting[] = [];
					for (
						let i = 0;
						i < pending.length && batch.length < o.batchSize;
					) {
						if ( ( pending[ i ] as Meeting ).retryAt <= now ) {
							batch.push(
								pending.splice( i, 1 )[ 0 ] as Meeting
							);
						} else {
							i++;
						}
					}
					if ( batch.length === 0 ) {
						await sleep( 50 );
						continue;
					}
					const answer = await site.caller.call( '/v1/batch', {
						operations: batch.map( ( m ) => ( {
							op: 'ensure',
							id: String( m.appointmentId ),
							siteId: site.enrolment.siteId,
							client: site.client,
							credential: site.doctors[ m.doctor ]!.credential,
							appointmentId: m.appointmentId,
							...times(
								new Date(
									Date.UTC( 2031, 0, 1 ) + m.slot * 1800000
								).toISOString(),
								30,
								'Europe/Berlin'
							),
							waitMs: 0,
						} ) ),
					} );
					const results: any[] =
						answer.status === 200 ? answer.body.results : [];
					const byId = new Map( results.map( ( r ) => [ r.id, r ] ) );
					for ( const m of batch ) {
						const r = byId.get( String( m.appointmentId ) );
						if ( r?.ok ) {
							run.made++;
							run.seconds = ( Date.now() - started ) / 1000;
							if ( r.result.credential ) {
								site.doctors[ m.doctor ]!.credential =
									r.result.credential;
							}
						} else if ( ! r || r.error.data.retryable ) {
							run.resent++;
							m.retryAt =
								Date.now() +
								Math.max(
									250,
									r?.error.data.retryAfterMs ?? 1000
								);
							pending.push( m );
						} else {
							run.failed[ r.error.code ] =
								( run.failed[ r.error.code ] ?? 0 ) + 1;
						}
					}
				}
			};
			await Promise.all(
				Array.from( { length: o.runnersPerSite }, runner )
			);
			run.perSecond = round( run.made / Math.max( 0.001, run.seconds ) );
			run.seconds = round( run.seconds, 2 );
			return run;
		} );
		const quietLoop = ( async () => {
			while ( draining ) {
				for ( const v of shuffle( [ ...QUIET_VARIANTS ] ) ) {
					if ( ! draining ) {
						break;
					}
					quiet[ v ]!.push(
						( await book( session, world, v, slot++, 400 ) ).ms
					);
				}
			}
		} )();
		const runs = await Promise.all( drains );
		draining = false;
		await quietLoop;
		await world.google.config( {
			rateLimits: { perUserPerMinute: null, perProjectPerMinute: null },
		} );

		// Every calendar read back: one live event per appointment, per site.
		for ( const [ s, site ] of sites.entries() ) {
			const seen = new Map< number, number >();
			for ( const d of site.doctors ) {
				for ( const e of await world.google.events( d.email ) ) {
					const p = e.extendedProperties?.private;
					if (
						e.status !== 'cancelled' &&
						p?.mfkSiteId === site.enrolment.siteId
					) {
						const id = Number( p.mfkAppointmentId );
						seen.set( id, ( seen.get( id ) ?? 0 ) + 1 );
					}
				}
			}
			const run = runs[ s ] as SiteRun;
			run.duplicates = [ ...seen.values() ].filter(
				( n ) => n > 1
			).length;
			run.missing = o.meetingsPerSite - seen.size;
		}

		// Replay protection's cost: the same signed ping to a replica with Redis, and to one without.
		const memoryPort = await freePort();
		const memory = await startSidecarProcess( memoryPort, {
			...sidecarEnv( world.instance ),
			MFK_SHARED_SECRET: '',
			MFK_MASTER_KEYS: masterKeys,
		} );
		extra.push( memory );
		const quietEnrolment = enrol( keys, world.siteId );
		const headers = {
			'x-mfk-site': world.siteId,
			'x-mfk-key-id': quietEnrolment.kid,
		};
		const [ redisPort ] = fleet.ports;
		const viaRedis = sidecarCaller(
			`http://127.0.0.1:${ redisPort }`,
			quietEnrolment.secret,
			{ keepAlive: true, headers }
		);
		const viaMemory = sidecarCaller( memory.url, quietEnrolment.secret, {
			keepAlive: true,
			headers,
		} );
		const pingMs: Record< 'redis' | 'memory', number[] > = {
			redis: [],
			memory: [],
		};
		for ( let i = 0; i < o.pings + 200; i++ ) {
			for ( const kind of shuffle( [ 'redis', 'memory' ] as const ) ) {
				const a = await (
					kind === 'redis' ? viaRedis : viaMemory
				).call( '/v1/ping', {} );
				if ( a.status !== 200 ) {
					throw new Error(
						`ping via ${ kind }: ${ a.status } ${ JSON.stringify( a.body ) }`
					);
				}
				if ( i >= 200 ) {
					pingMs[ kind ].push( a.ms );
				}
			}
		}
		viaRedis.close();
		viaMemory.close();
		const replay = {
			redis: summarize( pingMs.redis, 3 ),
			memory: summarize( pingMs.memory, 3 ),
			overheadMs: 0,
		};
		replay.overheadMs = round( replay.redis.p50 - replay.memory.p50, 3 );

		const perUser = sites.flatMap( () =>
			Array.from(
				{ length: o.doctorsPerSite },
				( _, d ) =>
					Math.floor( o.meetingsPerSite / o.doctorsPerSite ) +
					( d < o.meetingsPerSite % o.doctorsPerSite ? 1 : 0 )
			)
		);
		const floorSeconds = quotaFloorSeconds(
			perUser,
			o.perUserPerMinute,
			o.perProjectPerMinute
		);
		const seconds = Math.max( ...runs.map( ( r ) => r.seconds ) );
		const speeds = runs.map( ( r ) => r.perSecond );
		return {
			options: o,
			sites: runs,
			seconds,
			floorSeconds: round( floorSeconds, 2 ),
			ratio: round( seconds / floorSeconds, 3 ),
			fairness: round( Math.min( ...speeds ) / Math.max( ...speeds ), 3 ),
			quiet: {
				during: Object.fromEntries(
					Object.entries( quiet ).map( ( [ v, ms ] ) => [
						v,
						summarize( ms ),
					] )
				),
				idle: Object.fromEntries(
					Object.entries( idle ).map( ( [ v, ms ] ) => [
						v,
						summarize( ms ),
					] )
				),
			},
			replay,
			balancer: fleet.balancerCounts(),
		};
	} finally {
		await Promise.all( extra.map( ( p ) => p.stop() ) );
		await fleet.stop();
		await redis.close();
		// The bench WordPress goes back to its own sidecar.
		await php(
			world,
			`$o = get_option( 'mfk_settings' ); unset( $o['sidecar_enrolment_key'] ); update_option( 'mfk_settings', $o ); return true;`
		);
	}
}

export function hostedFigures( m: HostedResult ): Figure[] {
	const o = m.options;
	const command = 'npm run bench -- --only hosted';
	const dup = m.sites.reduce( ( n, s ) => n + s.duplicates, 0 );
	const missing = m.sites.reduce( ( n, s ) => n + s.missing, 0 );
	const perSite = m.sites.map( ( s ) => `${ s.perSecond }/s` ).join( ', ' );
	const fairOk =
		m.fairness >= 0.8 && m.ratio <= 1.15 && dup === 0 && missing === 0;
	const q = m.quiet.during;
	const addedAsync = round(
		( q[ 'ours-default' ]?.p50 ?? NaN ) - ( q.none?.p50 ?? NaN )
	);
	const addedSyncByDrain = round(
		( q[ 'ours-sync' ]?.p50 ?? NaN ) -
			( m.quiet.idle[ 'ours-sync' ]?.p50 ?? NaN )
	);
	const quietOk = addedAsync <= 15;
	const replayOk = m.replay.overheadMs <= 0.5;
	const how = `${ o.sites } sites enrolled with a hosted fleet of 2 sidecar replicas (the bundle, hosted mode) behind a round-robin balancer, sharing Redis; each site drains ${ o.meetingsPerSite.toLocaleString( 'en' ) } ensures over ${ o.doctorsPerSite } doctors with ${ o.runnersPerSite } runners sending batches of ${ o.batchSize } signed as the site (an operation answered rate_limited is sent again after its Retry-After), all at once; one Google project for the ${ o.sites } sites at ${ o.perProjectPerMinute.toLocaleString( 'en' ) }/min, ${ o.perUserPerMinute }/min per user, latency ${ o.latencyMs } ms; every calendar read back.`;
	return [
		{
			id: 'hosted-fairness',
			figure: 'hosted fleet: fairness between sites',
			how,
			command,
			target: 'slowest / fastest ≥ 0.8; total ≤ 1.15× quota floor; 0 duplicates',
			result: `${ perSite } (total ${ m.seconds } s); ${ dup } duplicates, ${ missing } missing`,
			baseline: `quota floor ${ m.floorSeconds } s`,
			ratio: m.fairness,
			ratioOf: 'slowest / fastest site',
			met: fairOk,
			...( fairOk
				? {}
				: {
						reason: [
							m.fairness < 0.8
								? `per-site throughput ${ perSite }`
								: '',
							m.ratio > 1.15
								? `${ m.seconds } s against a floor of ${ m.floorSeconds } s (${ m.ratio }×)`
								: '',
							dup || missing
								? `${ dup } duplicates, ${ missing } missing`
								: '',
						]
							.filter( Boolean )
							.join( '; ' ),
					} ),
			details: { ...m },
		},
		{
			id: 'hosted-quiet-booking',
			figure: 'hosted fleet: a quiet site books while others drain',
			how: `the bench WordPress, enrolled with the same fleet (its own Google project), books a telemedicine appointment through KiviCare while the ${ o.sites } backlogs drain: \`none\` (plugin not loaded), \`ours-default\` (default settings: budget 0, made in the background) and \`ours-sync\` interleaved, ${ q.none?.n ?? 0 } of each; added = ours-default − none, p50. Before the drain: sync ${ m.quiet.idle[ 'ours-sync' ]?.p50 } ms p50, during: ${ q[ 'ours-sync' ]?.p50 } ms (+${ addedSyncByDrain } ms: the link made inside the booking through the busy fleet).`,
			command,
			target: 'added ≤ 15 ms p50 (async path)',
			result: `+${ addedAsync } ms p50 (${ q[ 'ours-default' ]?.p50 } ms booking)`,
			baseline: `without the plugin ${ q.none?.p50 } ms (same load)`,
			ratio: ( q[ 'ours-default' ]?.p50 ?? NaN ) / ( q.none?.p50 ?? NaN ),
			ratioOf: 'with / without',
			met: quietOk,
			...( quietOk
				? {}
				: {
						reason: `the default-path booking took ${ addedAsync } ms more than without the plugin while the fleet drained the backlogs on this 2-core machine`,
					} ),
			details: { quiet: m.quiet, addedSyncByDrainMs: addedSyncByDrain },
		},
		{
			id: 'hosted-replay-overhead',
			figure: 'replay protection in Redis, per call',
			how: `${ o.pings.toLocaleString( 'en' ) } signed \`POST /v1/ping\` of an enrolled site to a replica sharing Redis (nonce and the site's window in Redis) interleaved with as many to a replica keeping them in memory, each over a kept-alive connection; overhead = difference of the p50s.`,
			command,
			target: '≤ 0.5 ms p50',
			result: `+${ m.replay.overheadMs } ms p50 (${ m.replay.redis.p50 } vs ${ m.replay.memory.p50 } ms; p99 ${ m.replay.redis.p99 } vs ${ m.replay.memory.p99 })`,
			baseline: `in memory ${ m.replay.memory.p50 } ms p50`,
			ratio: m.replay.redis.p50 / m.replay.memory.p50,
			ratioOf: 'Redis / memory, p50',
			met: replayOk,
			...( replayOk
				? {}
				: {
						reason: `the two Redis round trips (nonce, then the site's window) cost ${ m.replay.overheadMs } ms at p50 on this machine`,
					} ),
			details: { replay: m.replay },
		},
	];
}
