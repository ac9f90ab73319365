/**
 * Confirmation before a Google connection is removed (a modal dialog: focus moves into it,
 * Escape cancels, focus returns to the button that opened it).
 */
import { Button, Modal } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';

export interface ConfirmDisconnectProps {
	/** The account's e-mail, when known. */
	name?: string;
	busy: boolean;
	onConfirm: () => void;
	onCancel: () => void;
}

export default function ConfirmDisconnect( {
	name,
	busy,
	onConfirm,
	onCancel,
}: ConfirmDisconnectProps ) {
	return (
		<Modal
			title={ __( 'Disconnect Google?', 'meet-for-kivicare' ) }
			onRequestClose={ onCancel }
			size="medium"
		>
			<p>
				{ name
					? sprintf(
							/* translators: %s: Google account e-mail. */
							__(
								'The Google account %s will be disconnected.',
								'meet-for-kivicare'
							),
							name
						)
					: __(
							'The Google account will be disconnected.',
							'meet-for-kivicare'
						) }
			</p>
			<p>
				{ __(
					'Google Meet links are then no longer created or updated for these video consultations until a Google account is connected again. Links already sent keep working.',
					'meet-for-kivicare'
				) }
			</p>
			<div className="mfk-modal__actions">
				<Button
					__next40pxDefaultSize
					variant="tertiary"
					onClick={ onCancel }
				>
					{ __( 'Cancel', 'meet-for-kivicare' ) }
				</Button>
				<Button
					__next40pxDefaultSize
					variant="primary"
					isDestructive
					isBusy={ busy }
					aria-disabled={ busy }
					onClick={ () => ! busy && onConfirm() }
				>
					{ __( 'Disconnect', 'meet-for-kivicare' ) }
				</Button>
			</div>
		</Modal>
	);
}
