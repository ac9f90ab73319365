/**
 * The health figures as a description list: configuration, the sidecar, the queue, the
 * doctors who must reconnect and the changes made in the doctors' Google calendars.
 */
import { __, _n, sprintf } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import { formatAge, formatDateTime } from '../../format';
import type { CalendarSyncHealth, Health } from '../../types';
import Indicator from './indicator';

function Figure( {
	term,
	bad = false,
	children,
}: {
	term: string;
	/** Marks the value as needing attention. */
	bad?: boolean;
	children: ReactNode;
} ) {
	return (
		<div>
			<dt>{ term }</dt>
			<dd className={ bad ? 'is-bad' : undefined }>{ children }</dd>
		</div>
	);
}

/** How the site learns of consultations moved or deleted in the doctors' Google calendars. */
function CalendarSyncFigures( { sync }: { sync: CalendarSyncHealth } ) {
	const oldest = formatDateTime( sync.oldest_sync_at );
	return (
		<>
			<Figure
				term={ __( 'Changes made in Google', 'meet-for-kivicare' ) }
			>
				{ sprintf(
					/* translators: 1: doctors whose calendar was checked, 2: connected doctors. */
					_n(
						'%1$d of %2$d connected doctor’s calendar checked',
						'%1$d of %2$d connected doctors’ calendars checked',
						sync.doctors,
						'meet-for-kivicare'
					),
					sync.synced,
					sync.doctors
				) }
				{ oldest && (
					<span className="mfk-health__note">
						{ ' ' }
						{ sprintf(
							/* translators: %s: date and time. */
							__( '(least recent: %s)', 'meet-for-kivicare' ),
							oldest
						) }
					</span>
				) }
			</Figure>
			<Figure
				term={ __( 'Calendar checks failing', 'meet-for-kivicare' ) }
				bad={ sync.failing > 0 }
			>
				{ sync.failing > 0
					? sprintf(
							/* translators: %d: number of doctors. */
							_n(
								'%d doctor: the last check of their calendar failed',
								'%d doctors: the last check of their calendar failed',
								sync.failing,
								'meet-for-kivicare'
							),
							sync.failing
						)
					: __( 'None', 'meet-for-kivicare' ) }
			</Figure>
			<Figure
				term={ __( 'Google push notifications', 'meet-for-kivicare' ) }
			>
				{ sync.push
					? sprintf(
							/* translators: %d: number of calendars. */
							_n(
								'On: Google tells the site about changes in %d calendar',
								'On: Google tells the site about changes in %d calendars',
								sync.channels,
								'meet-for-kivicare'
							),
							sync.channels
						)
					: __(
							'Off: changes are found by the regular check of each calendar',
							'meet-for-kivicare'
						) }
			</Figure>
			<Figure
				term={ __( 'Moved in Google', 'meet-for-kivicare' ) }
				bad={ sync.moved_in_google > 0 }
			>
				{ sync.moved_in_google > 0
					? sprintf(
							/* translators: %d: number of appointments. */
							_n(
								'%d appointment waits for “Apply to appointment” or “Put back”',
								'%d appointments wait for “Apply to appointment” or “Put back”',
								sync.moved_in_google,
								'meet-for-kivicare'
							),
							sync.moved_in_google
						)
					: __( 'None', 'meet-for-kivicare' ) }
			</Figure>
		</>
	);
}

export interface HealthFiguresProps {
	health: Health;
	/** Where the doctors' table is, for the "must reconnect" figure. */
	doctorsAnchor?: string;
}

export default function HealthFigures( {
	health,
	doctorsAnchor,
}: HealthFiguresProps ) {
	const { sidecar, queue } = health;
	const reconnect = health.doctors_needing_reconnect;
	return (
		<>
			<dl className="mfk-health__grid">
				{ typeof health.configured === 'boolean' && (
					<Figure term={ __( 'Configuration', 'meet-for-kivicare' ) }>
						<Indicator
							ok={ health.configured }
							yes={ __( 'Complete', 'meet-for-kivicare' ) }
							no={ __( 'Incomplete', 'meet-for-kivicare' ) }
						/>
					</Figure>
				) }
				<Figure term={ __( 'Sidecar', 'meet-for-kivicare' ) }>
					<Indicator
						ok={ sidecar.reachable }
						yes={ __( 'Reachable', 'meet-for-kivicare' ) }
						no={ __( 'Not reachable', 'meet-for-kivicare' ) }
					/>
				</Figure>
				<Figure
					term={
						sidecar.hosted
							? __( 'Enrolment key', 'meet-for-kivicare' )
							: __( 'Shared secret', 'meet-for-kivicare' )
					}
				>
					<Indicator
						ok={ sidecar.signed }
						yes={ __( 'Accepted', 'meet-for-kivicare' ) }
						no={ __( 'Not accepted', 'meet-for-kivicare' ) }
					/>
				</Figure>
				<Figure term={ __( 'Links waiting', 'meet-for-kivicare' ) }>
					{ queue.pending }
					{ queue.pending > 0 &&
						typeof queue.oldest_pending_age_seconds ===
							'number' && (
							<span className="mfk-health__note">
								{ ' ' }
								{ sprintf(
									/* translators: %s: age, for example "5 minutes". */
									__( '(oldest: %s)', 'meet-for-kivicare' ),
									formatAge(
										queue.oldest_pending_age_seconds
									)
								) }
							</span>
						) }
				</Figure>
				<Figure
					term={ __( 'Links failed', 'meet-for-kivicare' ) }
					bad={ queue.failed > 0 }
				>
					{ queue.failed }
				</Figure>
				<Figure term={ __( 'Last queue run', 'meet-for-kivicare' ) }>
					{ formatDateTime( queue.last_run_at ) ||
						__( 'Never', 'meet-for-kivicare' ) }
				</Figure>
				<Figure
					term={ __( 'Doctors to reconnect', 'meet-for-kivicare' ) }
					bad={ reconnect > 0 }
				>
					{ reconnect > 0 && doctorsAnchor ? (
						<a href={ `#${ doctorsAnchor }` }>{ reconnect }</a>
					) : (
						reconnect
					) }
				</Figure>
				{ health.busy_times_failure && (
					<Figure
						term={ __( 'Google busy times', 'meet-for-kivicare' ) }
						bad
					>
						{ sprintf(
							/* translators: 1: date and time, 2: error code. */
							__(
								'Not read on %1$s (%2$s): slots used the last known busy times.',
								'meet-for-kivicare'
							),
							formatDateTime( health.busy_times_failure.at ),
							health.busy_times_failure.code
						) }
					</Figure>
				) }
				{ health.calendar_sync && health.calendar_sync.doctors > 0 && (
					<CalendarSyncFigures sync={ health.calendar_sync } />
				) }
			</dl>
			{ /* For whoever runs the sidecar, not for the clinic: folded away. */ }
			<details className="mfk-health__technical">
				<summary>
					{ __( 'Technical details', 'meet-for-kivicare' ) }
				</summary>
				<dl className="mfk-health__grid">
					<Figure
						term={ __( 'Sidecar version', 'meet-for-kivicare' ) }
					>
						{ sidecar.version || '—' }
					</Figure>
					<Figure term={ __( 'Latency', 'meet-for-kivicare' ) }>
						{ typeof sidecar.latency_ms === 'number'
							? sprintf(
									/* translators: %d: milliseconds. */
									__( '%d ms', 'meet-for-kivicare' ),
									Math.round( sidecar.latency_ms )
								)
							: '—' }
					</Figure>
				</dl>
			</details>
		</>
	);
}
