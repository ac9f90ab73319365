/**
 * Push notifications for events: `events.watch` opens a channel on a calendar's events,
 * `channels.stop` ends it. Google then POSTs body-less notifications to the channel's address:
 * `sync` right after the watch, `exists` after each change, with the channel's headers and a
 * message number that grows by one; a receiver that answers anything but 2xx is retried with
 * exponential backoff. Channels expire (`params.ttl`, one week by default) on the emulator's clock.
 *
 * One deliberate difference: Google delivers only to HTTPS addresses; the emulator also delivers
 * to plain http on a loopback address, so a development site can receive them.
 */
import { createHash } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar/build/v3';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock';
import { apiRoute, type ApiRoute } from '../pipeline/api-route';
import { GoogleApiError } from '../pipeline/google-errors';
import { isObject } from '../shared/values';
import type { EmulatorState } from '../state';
import type { Calendar } from './calendar-store';
import { calendarOf } from './request';
import { EVENTS_READ } from './scopes';

/** Google's default channel lifetime for Calendar resources. */
export const DEFAULT_TTL_SECONDS = 604800;
const MAX_CHANNEL_ID = 64;
/** Deliveries of one message before the emulator gives up (Google's exact count is not published). */
const MAX_ATTEMPTS = 6;

export interface Delivery {
	messageNumber: number;
	state: 'sync' | 'exists';
	attempts: number;
	/** HTTP status of the last attempt, or the network error. */
	outcome: number | string;
	delivered: boolean;
}

export interface WatchChannel {
	id: string;
	resourceId: string;
	resourceUri: string;
	token?: string;
	address: string;
	/** Milliseconds since the epoch, on the emulator's clock. */
	expiration: number;
	calendarId: string;
	clientId: string;
	email: string;
	messageNumber: number;
	stopped: boolean;
	deliveries: Delivery[];
	/** Messages go out one at a time, in order. */
	queue: Promise< void >;
}

const LOOPBACK = new Set( [ '127.0.0.1', 'localhost', '[::1]' ] );

function checkAddress( address: unknown ): string {
	let url: URL;
	try {
		url = new URL( String( address ) );
	} catch {
		throw new GoogleApiError(
			400,
			'invalid',
			'Invalid value for: address',
			{
				location: 'address',
			}
		);
	}
	const loopbackHttp =
		url.protocol === 'http:' && LOOPBACK.has( url.hostname );
	if ( url.protocol !== 'https:' && ! loopbackHttp ) {
		throw new GoogleApiError(
			400,
			'push.webhookUrlNotHttps',
			`WebHook callback must be HTTPS: ${ url.href }`
		);
	}
	return url.href;
}

/** A calendar's events collection as Google names it to a channel (stable, opaque). */
const resourceIdOf = ( cal: Calendar ) =>
	createHash( 'sha256' )
		.update( `events:${ cal.id }` )
		.digest( 'base64url' )
		.slice( 0, 27 );

export class ChannelStore {
	private readonly channels = new Map< string, WatchChannel >();
	private readonly timers = new Set< NodeJS.Timeout >();
	private closed = false;

	constructor(
		private readonly clock: Clock,
		private readonly retryMs: () => number
	) {}

	list(): WatchChannel[] {
		return [ ...this.channels.values() ];
	}

	get( id: string ): WatchChannel | undefined {
		return this.channels.get( id );
	}

	open(
		cal: Calendar,
		caller: { email: string; clientId: string },
		body: calendar_v3.Schema$Channel
	): WatchChannel {
		if ( typeof body.id !== 'string' || body.id === '' ) {
			throw new GoogleApiError( 400, 'required', 'Required', {
				location: 'id',
			} );
		}
		if ( body.id.length > MAX_CHANNEL_ID ) {
			throw new GoogleApiError( 400, 'invalid', 'Invalid value for: id', {
				location: 'id',
			} );
		}
		if ( body.type !== 'web_hook' && body.type !== 'webhook' ) {
			throw new GoogleApiError(
				400,
				'invalid',
				'Invalid value for: type',
				{
					location: 'type',
				}
			);
		}
		if ( this.channels.has( body.id ) ) {
			throw new GoogleApiError(
				400,
				'channelIdNotUnique',
				`Channel id ${ body.id } not unique`
			);
		}
		const address = checkAddress( body.address );
		const ttl = Number( body.params?.ttl ?? DEFAULT_TTL_SECONDS );
		if ( ! Number.isInteger( ttl ) || ttl <= 0 ) {
			throw new GoogleApiError(
				400,
				'invalid',
				'Invalid value for: params.ttl',
				{
					location: 'params.ttl',
				}
			);
		}
		const channel: WatchChannel = {
			id: body.id,
			resourceId: resourceIdOf( cal ),
			resourceUri: `https://www.googleapis.com/calendar/v3/calendars/${ encodeURIComponent(
				cal.id
			) }/events?alt=json`,
			...( typeof body.token === 'string' ? { token: body.token } : {} ),
			address,
			expiration: this.clock.now() + ttl * 1000,
			calendarId: cal.id,
			clientId: caller.clientId,
			email: caller.email,
			messageNumber: 0,
			stopped: false,
			deliveries: [],
			queue: Promise.resolve(),
		};
		this.channels.set( channel.id, channel );
		this.send( channel, 'sync' );
		return channel;
	}

	/** channels.stop: only the project that opened the channel may stop it. */
	stop( id: unknown, resourceId: unknown, clientId: string ): void {
		const channel =
			typeof id === 'string' ? this.channels.get( id ) : undefined;
		if (
			! channel ||
			channel.resourceId !== resourceId ||
			channel.clientId !== clientId
		) {
			throw new GoogleApiError(
				404,
				'notFound',
				`Channel '${ String( id ) }' not found for project`
			);
		}
		channel.stopped = true;
		this.channels.delete( channel.id );
	}

	/** Tells every live channel on the calendar that its events changed. */
	changed( cal: Calendar ): void {
		for ( const channel of this.channels.values() ) {
			if ( channel.calendarId === cal.id ) {
				this.send( channel, 'exists' );
			}
		}
	}

	reset(): void {
		for ( const t of this.timers ) {
			clearTimeout( t );
		}
		this.timers.clear();
		for ( const channel of this.channels.values() ) {
			channel.stopped = true;
		}
		this.channels.clear();
	}

	close(): void {
		this.closed = true;
		this.reset();
	}

	private send( channel: WatchChannel, state: Delivery[ 'state' ] ): void {
		if ( this.clock.now() >= channel.expiration ) {
			// An expired channel is gone for Google: nothing more is sent.
			this.channels.delete( channel.id );
			return;
		}
		const delivery: Delivery = {
			messageNumber: ++channel.messageNumber,
			state,
			attempts: 0,
			outcome: 'not sent',
			delivered: false,
		};
		channel.deliveries.push( delivery );
		channel.queue = channel.queue.then( () =>
			this.deliver( channel, delivery )
		);
	}

	private async deliver(
		channel: WatchChannel,
		delivery: Delivery
	): Promise< void > {
		let attempt = 0;
		while (
			! channel.stopped &&
			! this.closed &&
			delivery.attempts < MAX_ATTEMPTS
		) {
			delivery.attempts++;
			try {
				const res = await fetch( channel.address, {
					method: 'POST',
					headers: this.headers( channel, delivery ),
					signal: AbortSignal.timeout( 10000 ),
				} );
				await res.arrayBuffer().catch( () => undefined );
				delivery.outcome = res.status;
				if ( res.status >= 200 && res.status < 300 ) {
					delivery.delivered = true;
					return;
				}
			} catch ( e ) {
				delivery.outcome = ( e as Error ).message;
			}
			const wait = this.retryMs() * 2 ** attempt++;
			await new Promise< void >( ( resolve ) => {
				const t = setTimeout( () => {
					this.timers.delete( t );
					resolve();
				}, wait );
				this.timers.add( t );
			} );
		}
	}

	private headers(
		channel: WatchChannel,
		delivery: Delivery
	): Record< string, string > {
		return {
			'content-length': '0',
			'x-goog-channel-id': channel.id,
			...( channel.token !== undefined
				? { 'x-goog-channel-token': channel.token }
				: {} ),
			'x-goog-channel-expiration': new Date(
				channel.expiration
			).toUTCString(),
			'x-goog-resource-id': channel.resourceId,
			'x-goog-resource-uri': channel.resourceUri,
			'x-goog-resource-state': delivery.state,
			'x-goog-message-number': String( delivery.messageNumber ),
		};
	}
}

export function channelResource(
	channel: WatchChannel
): calendar_v3.Schema$Channel {
	return {
		kind: 'api#channel',
		id: channel.id,
		resourceId: channel.resourceId,
		resourceUri: channel.resourceUri,
		...( channel.token !== undefined ? { token: channel.token } : {} ),
		expiration: String( channel.expiration ),
	};
}

export function channelRoutes(
	app: FastifyInstance,
	state: EmulatorState,
	facts: ApiRoute[ 'facts' ]
): void {
	apiRoute( app, state, {
		method: 'POST',
		url: '/calendars/:calendarId/events/watch',
		operation: 'events.watch',
		scopes: EVENTS_READ,
		facts,
		handler: ( caller, request ) => {
			if ( ! isObject( request.body ) ) {
				throw new GoogleApiError( 400, 'parseError', 'Parse Error' );
			}
			const cal = calendarOf( state, caller, request );
			const channel = state.channels.open(
				cal,
				caller,
				request.body as calendar_v3.Schema$Channel
			);
			return { status: 200, body: channelResource( channel ) };
		},
	} );

	apiRoute( app, state, {
		method: 'POST',
		url: '/channels/stop',
		operation: 'channels.stop',
		scopes: EVENTS_READ,
		handler: ( caller, request ) => {
			const body = (
				isObject( request.body ) ? request.body : {}
			) as calendar_v3.Schema$Channel;
			state.channels.stop( body.id, body.resourceId, caller.clientId );
			return { status: 204 };
		},
	} );
}
