/**
 * Live health of the integration (`GET /health`): the sidecar, the provisioning queue, recent
 * errors and doctors who must reconnect. Refreshes itself while the page is visible.
 */
import { speak } from '@wordpress/a11y';
import { Button, Notice, Spinner } from '@wordpress/components';
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { request, type ApiError } from '../api';
import { describeCode, formatAge, formatDateTime } from '../format';
import type { Health } from '../types';

export const HEALTH_REFRESH_MS = 30_000;

function Indicator( {
	ok,
	yes,
	no,
}: {
	ok: boolean;
	yes: string;
	no: string;
} ) {
	return (
		<span className={ ok ? 'mfk-indicator is-ok' : 'mfk-indicator is-bad' }>
			<span aria-hidden="true">{ ok ? '✓' : '✕' }</span> { ok ? yes : no }
		</span>
	);
}

export interface HealthPanelProps {
	refreshMs?: number;
	/** Where the doctors' table is, for the "must reconnect" figure. */
	doctorsAnchor?: string;
	/**
	 * Changes when something the figures depend on was just changed on the same page (the
	 * settings were saved): the figures are loaded again at once, so they never contradict it.
	 */
	reloadKey?: number;
}

export default function HealthPanel( {
	refreshMs = HEALTH_REFRESH_MS,
	doctorsAnchor,
	reloadKey = 0,
}: HealthPanelProps ) {
	const [ health, setHealth ] = useState< Health | null >( null );
	const [ error, setError ] = useState< ApiError | null >( null );
	const [ loading, setLoading ] = useState( false );
	const [ updatedAt, setUpdatedAt ] = useState< Date | null >( null );
	const mounted = useRef( true );

	const load = useCallback( async (): Promise< boolean > => {
		setLoading( true );
		try {
			const answer = await request< Health >( '/health' );
			if ( mounted.current ) {
				setHealth( answer );
				setError( null );
				setUpdatedAt( new Date() );
			}
			return true;
		} catch ( e ) {
			if ( mounted.current ) {
				setError( e as ApiError );
			}
			return false;
		} finally {
			if ( mounted.current ) {
				setLoading( false );
			}
		}
	}, [] );

	useEffect( () => {
		mounted.current = true;
		let timer: ReturnType< typeof setTimeout > | undefined;
		const tick = async () => {
			if ( document.visibilityState !== 'hidden' ) {
				await load();
			}
			if ( mounted.current ) {
				timer = setTimeout( tick, refreshMs );
			}
		};
		tick();
		return () => {
			mounted.current = false;
			clearTimeout( timer );
		};
	}, [ load, refreshMs ] );

	// The timer above does the first load; later keys mean "reload now".
	const firstKey = useRef( reloadKey );
	useEffect( () => {
		if ( reloadKey !== firstKey.current ) {
			load();
		}
	}, [ reloadKey, load ] );

	const refresh = async () => {
		const ok = await load();
		speak(
			ok
				? __( 'Health figures updated.', 'meet-for-kivicare' )
				: __(
						'The health figures could not be loaded.',
						'meet-for-kivicare'
					)
		);
	};

	return (
		<div className="mfk-health" aria-busy={ loading }>
			{ error && (
				<Notice status="error" isDismissible={ false }>
					{ sprintf(
						/* translators: %s: error message. */
						__(
							'The health figures could not be loaded: %s',
							'meet-for-kivicare'
						),
						error.message
					) }
				</Notice>
			) }
			{ ! health && ! error && <Spinner /> }
			{ health && (
				<>
					{ ( ! health.sidecar.reachable ||
						! health.sidecar.signed ) &&
						health.sidecar.message && (
							<Notice status="warning" isDismissible={ false }>
								{ health.sidecar.message }
							</Notice>
						) }
					<dl className="mfk-health__grid">
						{ typeof health.configured === 'boolean' && (
							<div>
								<dt>
									{ __(
										'Configuration',
										'meet-for-kivicare'
									) }
								</dt>
								<dd>
									<Indicator
										ok={ health.configured }
										yes={ __(
											'Complete',
											'meet-for-kivicare'
										) }
										no={ __(
											'Incomplete',
											'meet-for-kivicare'
										) }
									/>
								</dd>
							</div>
						) }
						<div>
							<dt>{ __( 'Sidecar', 'meet-for-kivicare' ) }</dt>
							<dd>
								<Indicator
									ok={ health.sidecar.reachable }
									yes={ __(
										'Reachable',
										'meet-for-kivicare'
									) }
									no={ __(
										'Not reachable',
										'meet-for-kivicare'
									) }
								/>
							</dd>
						</div>
						<div>
							<dt>
								{ __( 'Shared secret', 'meet-for-kivicare' ) }
							</dt>
							<dd>
								<Indicator
									ok={ health.sidecar.signed }
									yes={ __(
										'Accepted',
										'meet-for-kivicare'
									) }
									no={ __(
										'Not accepted',
										'meet-for-kivicare'
									) }
								/>
							</dd>
						</div>
						<div>
							<dt>
								{ __( 'Sidecar version', 'meet-for-kivicare' ) }
							</dt>
							<dd>{ health.sidecar.version || '—' }</dd>
						</div>
						<div>
							<dt>{ __( 'Latency', 'meet-for-kivicare' ) }</dt>
							<dd>
								{ typeof health.sidecar.latency_ms === 'number'
									? sprintf(
											/* translators: %d: milliseconds. */
											__( '%d ms', 'meet-for-kivicare' ),
											Math.round(
												health.sidecar.latency_ms
											)
										)
									: '—' }
							</dd>
						</div>
						<div>
							<dt>
								{ __( 'Links waiting', 'meet-for-kivicare' ) }
							</dt>
							<dd>
								{ health.queue.pending }
								{ health.queue.pending > 0 &&
									typeof health.queue
										.oldest_pending_age_seconds ===
										'number' && (
										<span className="mfk-health__note">
											{ ' ' }
											{ sprintf(
												/* translators: %s: age, for example "5 minutes". */
												__(
													'(oldest: %s)',
													'meet-for-kivicare'
												),
												formatAge(
													health.queue
														.oldest_pending_age_seconds
												)
											) }
										</span>
									) }
							</dd>
						</div>
						<div>
							<dt>
								{ __( 'Links failed', 'meet-for-kivicare' ) }
							</dt>
							<dd
								className={
									health.queue.failed > 0
										? 'is-bad'
										: undefined
								}
							>
								{ health.queue.failed }
							</dd>
						</div>
						<div>
							<dt>
								{ __( 'Last queue run', 'meet-for-kivicare' ) }
							</dt>
							<dd>
								{ formatDateTime( health.queue.last_run_at ) ||
									__( 'Never', 'meet-for-kivicare' ) }
							</dd>
						</div>
						<div>
							<dt>
								{ __(
									'Doctors to reconnect',
									'meet-for-kivicare'
								) }
							</dt>
							<dd
								className={
									health.doctors_needing_reconnect > 0
										? 'is-bad'
										: undefined
								}
							>
								{ health.doctors_needing_reconnect > 0 &&
								doctorsAnchor ? (
									<a href={ `#${ doctorsAnchor }` }>
										{ health.doctors_needing_reconnect }
									</a>
								) : (
									health.doctors_needing_reconnect
								) }
							</dd>
						</div>
					</dl>
					<h3 className="mfk-health__subheading">
						{ __( 'Last errors', 'meet-for-kivicare' ) }
					</h3>
					{ health.last_errors.length === 0 ? (
						<p>
							{ __( 'No recent errors.', 'meet-for-kivicare' ) }
						</p>
					) : (
						<ul className="mfk-health__errors">
							{ health.last_errors.map( ( item, index ) => (
								<li
									key={ `${ item.appointment_id }-${ index }` }
								>
									<strong>
										{ sprintf(
											/* translators: %d: appointment ID. */
											__(
												'Appointment #%d',
												'meet-for-kivicare'
											),
											item.appointment_id
										) }
									</strong>
									{ ': ' }
									{ describeCode( item.code ) }
									{ item.message &&
										item.message !== item.code && (
											<span className="mfk-health__note">
												{ ' ' }
												({ item.message })
											</span>
										) }
									{ item.at && (
										<span className="mfk-health__note">
											{ ' — ' }
											{ formatDateTime( item.at ) }
										</span>
									) }
								</li>
							) ) }
						</ul>
					) }
				</>
			) }
			<div className="mfk-health__footer">
				<Button
					__next40pxDefaultSize
					variant="secondary"
					onClick={ refresh }
					isBusy={ loading }
					accessibleWhenDisabled
				>
					{ __( 'Refresh', 'meet-for-kivicare' ) }
				</Button>
				{ updatedAt && (
					<span className="mfk-health__note">
						{ sprintf(
							/* translators: 1: time of day, 2: number of seconds. */
							__(
								'Updated at %1$s; refreshes every %2$d seconds.',
								'meet-for-kivicare'
							),
							updatedAt.toLocaleTimeString(
								document.documentElement.lang || undefined
							),
							Math.round( refreshMs / 1000 )
						) }
					</span>
				) }
			</div>
		</div>
	);
}
