/**
 * The settings page's tabs, drawn as wp-admin draws its own (`nav-tab-wrapper`), as links a
 * keyboard reaches in order; the open one is marked for assistive technology too.
 */
import { __ } from '@wordpress/i18n';
import type { MouseEvent } from 'react';
import type { TabName } from '../../hooks/use-tab';
import type { FieldName } from '../../settings-form';

export function tabTitle( tab: TabName ): string {
	const titles: Record< TabName, string > = {
		status: __( 'Status', 'meet-for-kivicare' ),
		google: __( 'Google', 'meet-for-kivicare' ),
		meetings: __( 'Meetings', 'meet-for-kivicare' ),
		emails: __( 'E-mails', 'meet-for-kivicare' ),
		doctors: __( 'Doctors', 'meet-for-kivicare' ),
		advanced: __( 'Advanced', 'meet-for-kivicare' ),
	};
	return titles[ tab ];
}

/** The tab each form field is on (the error summary opens it before focusing the field). */
export const FIELD_TABS: Record< FieldName, TabName > = {
	google_client_id: 'google',
	google_client_secret: 'google',
	event_title_template: 'meetings',
	send_updates: 'meetings',
	meet_access_type: 'meetings',
	attendance_retention_days: 'meetings',
	add_patient_as_attendee: 'meetings',
	join_window_minutes: 'meetings',
	sync_budget_ms: 'meetings',
	calendar_id: 'meetings',
	google_deleted_event: 'meetings',
	busy_blocks_default: 'meetings',
	busy_cache_seconds: 'advanced',
	busy_budget_ms: 'advanced',
	link_ready_email_subject: 'emails',
	link_ready_email_body: 'emails',
	link_ready_doctor_email_subject: 'emails',
	link_ready_doctor_email_body: 'emails',
	reschedule_email_subject: 'emails',
	reschedule_email_body: 'emails',
	sidecar_url: 'advanced',
	sidecar_secret: 'advanced',
	sidecar_enrolment_key: 'advanced',
	keep_data_on_uninstall: 'advanced',
};

export interface TabsProps {
	tabs: readonly TabName[];
	current: TabName;
	onSelect: ( tab: TabName ) => void;
	/** A tab needing attention gets a count (errors in it, doctors to reconnect). */
	badges?: Partial< Record< TabName, number > >;
}

export default function Tabs( {
	tabs,
	current,
	onSelect,
	badges = {},
}: TabsProps ) {
	return (
		<nav
			className="nav-tab-wrapper mfk-tabs"
			aria-label={ __( 'Settings sections', 'meet-for-kivicare' ) }
		>
			{ tabs.map( ( tab ) => (
				<a
					key={ tab }
					href={ `#${ tab }` }
					className={ `nav-tab${
						tab === current ? ' nav-tab-active' : ''
					}` }
					aria-current={ tab === current ? 'page' : undefined }
					onClick={ ( event: MouseEvent ) => {
						event.preventDefault();
						onSelect( tab );
					} }
				>
					{ tabTitle( tab ) }
					{ !! badges[ tab ] && (
						<span className="mfk-tabs__count">
							{ ' ' }
							<span className="awaiting-mod">
								{ badges[ tab ] }
							</span>
						</span>
					) }
				</a>
			) ) }
		</nav>
	);
}
