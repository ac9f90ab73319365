/**
 * Queue tick with nothing due: one WP-Cron run of `mfk_queue_tick` inside a loaded WordPress
 * (the cost the plugin adds to every cron run, whatever WordPress's own bootstrap costs), timed
 * and with its SQL queries counted; the table then holds every row the other figures made, none
 * of them due. Baseline: one `SELECT 1` through `$wpdb`.
 */
import './lib/env';
import path from 'node:path';
import type { Figure } from './lib/report';
import { round, summarize } from './lib/stats';
import { BENCH_PHP, php, type World } from './lib/world';

export async function measureTick( world: World, runs = 500 ) {
	const r = await php< {
		rows: number;
		due: number;
		stepsDue: boolean;
		syncDue: boolean;
		first: { ms: number; queries: number; sql: string[] };
		ms: number[];
		queries: number[];
		sql: string[];
		baselineMs: number[];
	} >( world, `require_once $args['file']; return mfk_bench_tick( $args );`, {
		file: path.join( BENCH_PHP, 'tick.php' ),
		runs,
	} );
	const tick = summarize( r.ms, 3 );
	return {
		runs,
		rows: r.rows,
		due: r.due,
		stepsDue: r.stepsDue,
		syncDue: r.syncDue,
		first: { ...r.first, ms: round( r.first.ms, 3 ) },
		tick,
		p50Ms: tick.p50,
		maxQueries: Math.max( ...r.queries ),
		minQueries: Math.min( ...r.queries ),
		sql: r.sql,
		baselineP50: summarize( r.baselineMs, 3 ).p50,
	};
}

export function tickFigure(
	m: Awaited< ReturnType< typeof measureTick > >
): Figure {
	const met = m.p50Ms <= 2 && m.maxQueries <= 1 && m.due === 0;
	return {
		id: 'queue-tick',
		figure: 'queue tick, empty',
		how: `\`do_action( 'mfk_queue_tick' )\` (what WP-Cron runs) ${ m.runs } times in a loaded WordPress with ${ m.rows.toLocaleString( 'en' ) } mapping rows, none due, and neither the Meet steps nor the calendar sync due (their next run an hour away, as after their own work${ m.stepsDue || m.syncDue ? ', which the other figures had left for them' : '' }); queries counted with the \`query\` filter. The first run of a process also notes its start for health screens at most every five minutes: ${ m.first.queries } queries, ${ m.first.ms } ms. Baseline: \`$wpdb->get_var( 'SELECT 1' )\`.`,
		command: 'npm run bench -- --only queue-tick',
		target: '≤ 2 ms, one query',
		result: `${ m.p50Ms } ms p50, ${ m.maxQueries } ${ m.maxQueries === 1 ? 'query' : 'queries' }`,
		baseline: `SELECT 1 ${ m.baselineP50 } ms`,
		ratio: m.baselineP50 > 0 ? m.p50Ms / m.baselineP50 : null,
		ratioOf: 'tick / one trivial query',
		met,
		...( met
			? {}
			: {
					reason:
						m.due > 0
							? `${ m.due } rows were due, so this was not an empty tick`
							: `${ m.p50Ms } ms p50 with ${ m.maxQueries } queries: ${ m.sql.join( ' | ' ) }`,
				} ),
		details: m,
	};
}
