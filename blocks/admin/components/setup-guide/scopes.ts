/**
 * What the product asks Google for, as the OAuth consent screen's "Data access" lists it. The
 * sidecar asks for exactly these (src/sidecar/oauth/flow.ts, checked by a component test).
 */
export const REQUESTED_SCOPES = [
	'openid',
	'email',
	'https://www.googleapis.com/auth/calendar.events',
	'https://www.googleapis.com/auth/meetings.space.settings',
	'https://www.googleapis.com/auth/meetings.space.readonly',
] as const;

/** Where each scope appears in the Cloud console's scope list. */
export const SCOPE_ROWS: ReadonlyArray< {
	scope: string;
	console: string;
	sensitive: boolean;
} > = [
	{ scope: 'openid', console: 'openid', sensitive: false },
	{
		scope: 'email',
		console: '…/auth/userinfo.email',
		sensitive: false,
	},
	{
		scope: 'https://www.googleapis.com/auth/calendar.events',
		console: '…/auth/calendar.events',
		sensitive: true,
	},
	{
		scope: 'https://www.googleapis.com/auth/meetings.space.settings',
		console: '…/auth/meetings.space.settings',
		sensitive: true,
	},
	{
		scope: 'https://www.googleapis.com/auth/meetings.space.readonly',
		console: '…/auth/meetings.space.readonly',
		sensitive: true,
	},
];

/** Google Cloud console pages, as the steps link to them. */
export const CONSOLE = {
	project: 'https://console.cloud.google.com/projectcreate',
	calendarApi:
		'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com',
	meetApi:
		'https://console.cloud.google.com/apis/library/meet.googleapis.com',
	branding: 'https://console.cloud.google.com/auth/branding',
	audience: 'https://console.cloud.google.com/auth/audience',
	dataAccess: 'https://console.cloud.google.com/auth/scopes',
	clients: 'https://console.cloud.google.com/auth/clients',
	verification: 'https://support.google.com/cloud/answer/13463073',
} as const;
