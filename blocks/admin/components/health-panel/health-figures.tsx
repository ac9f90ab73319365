/**
 * The health figures as a description list: configuration, the sidecar, the queue and the
 * doctors who must reconnect.
 */
import { __, sprintf } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import { formatAge, formatDateTime } from '../../format';
import type { Health } from '../../types';
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
