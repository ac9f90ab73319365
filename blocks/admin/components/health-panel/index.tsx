/**
 * Live health of the integration (`GET /health`): the sidecar, the provisioning queue, recent
 * errors and doctors who must reconnect. Refreshes itself while the page is visible.
 */
import { speak } from '@wordpress/a11y';
import { Button, Notice, Spinner } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import useHealth from '../../hooks/use-health';
import HealthFigures from './health-figures';
import LastErrors from './last-errors';

export const HEALTH_REFRESH_MS = 30_000;

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
	const { health, error, loading, updatedAt, load } = useHealth(
		refreshMs,
		reloadKey
	);

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
					<HealthFigures
						health={ health }
						doctorsAnchor={ doctorsAnchor }
					/>
					<h3 className="mfk-health__subheading">
						{ __( 'Last errors', 'meet-for-kivicare' ) }
					</h3>
					<LastErrors errors={ health.last_errors } />
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
