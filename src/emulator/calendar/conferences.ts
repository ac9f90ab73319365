/**
 * Meet conferences attached to events. Creation is asynchronous at Google: a new conference is
 * `pending` for the configured delay, then `success` or `failure`; the state is computed from
 * timestamps when read, so thousands of pending conferences cost no timers. A `requestId` seen
 * before on the calendar is ignored: the event keeps (or shares) the conference it produced.
 */
import { randomInt } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { ConferenceOutcome } from '../behaviour';
import { GoogleApiError } from '../pipeline/google-errors';
import { isObject } from '../shared/values';
import type { Calendar } from './calendar-store';

export interface Conference {
	requestId: string;
	type: string;
	conferenceId: string;
	readyAt: number;
	outcome: ConferenceOutcome;
}

export interface ConferenceSettings {
	delayMs: number;
	outcome: ConferenceOutcome;
}

/** What a conference adds to an event resource. */
export interface ConferenceView {
	conferenceData: calendar_v3.Schema$ConferenceData;
	hangoutLink?: string;
}

const MEET_ICON =
	'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png';

/** A Meet code shaped like Google's: `abc-defg-hij`. */
export function meetCode(): string {
	const letters = 'abcdefghijklmnopqrstuvwxyz';
	const pick = ( n: number ) =>
		Array.from( { length: n }, () => letters[ randomInt( 26 ) ] ).join(
			''
		);
	return `${ pick( 3 ) }-${ pick( 4 ) }-${ pick( 3 ) }`;
}

function newConference(
	cal: Calendar,
	request: calendar_v3.Schema$CreateConferenceRequest & { requestId: string },
	settings: ConferenceSettings
): Conference {
	const key: unknown = request.conferenceSolutionKey;
	const type =
		isObject( key ) && typeof key.type === 'string' ? key.type : '';
	if ( ! cal.allowedConferenceSolutionTypes.includes( type ) ) {
		throw new GoogleApiError(
			400,
			'invalid',
			'Invalid conference type value.'
		);
	}
	const conf: Conference = {
		requestId: request.requestId,
		type,
		conferenceId: meetCode(),
		readyAt: Date.now() + settings.delayMs,
		outcome: settings.outcome,
	};
	cal.requests.set( conf.requestId, conf );
	return conf;
}

/**
 * The conference an event has after a write carrying `conferenceData` (only with
 * conferenceDataVersion=1): `null` removes it, a createRequest with a new requestId makes one,
 * anything else keeps the current one.
 */
export function conferenceAfterWrite(
	cal: Calendar,
	current: Conference | undefined,
	data: calendar_v3.Schema$ConferenceData | null,
	settings: ConferenceSettings
): Conference | undefined {
	if ( data === null ) {
		return undefined;
	}
	const request: unknown = isObject( data ) ? data.createRequest : undefined;
	if ( ! isObject( request ) ) {
		return current;
	}
	const requestId = request.requestId;
	if ( typeof requestId !== 'string' || requestId === '' ) {
		throw new GoogleApiError(
			400,
			'invalid',
			'Invalid conference create request.'
		);
	}
	const seen = cal.requests.get( requestId );
	if ( seen ) {
		return current ?? seen;
	}
	return newConference( cal, { ...request, requestId }, settings );
}

export function conferenceStatus(
	conf: Conference,
	now = Date.now()
): 'pending' | ConferenceOutcome {
	return now < conf.readyAt ? 'pending' : conf.outcome;
}

/** `conferenceData` (and `hangoutLink` once the conference exists) as Google returns them. */
export function conferenceView(
	conf: Conference,
	now = Date.now()
): ConferenceView {
	const status = conferenceStatus( conf, now );
	const conferenceData: calendar_v3.Schema$ConferenceData = {
		createRequest: {
			requestId: conf.requestId,
			conferenceSolutionKey: { type: conf.type },
			status: { statusCode: status },
		},
	};
	if ( status !== 'success' ) {
		return { conferenceData };
	}
	const uri = `https://meet.google.com/${ conf.conferenceId }`;
	conferenceData.entryPoints = [
		{
			entryPointType: 'video',
			uri,
			label: `meet.google.com/${ conf.conferenceId }`,
		},
	];
	conferenceData.conferenceSolution = {
		key: { type: conf.type },
		name: 'Google Meet',
		iconUri: MEET_ICON,
	};
	conferenceData.conferenceId = conf.conferenceId;
	return { conferenceData, hangoutLink: uri };
}
