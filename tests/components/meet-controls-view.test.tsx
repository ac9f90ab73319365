/**
 * The Meet controls' view script on server-rendered markup: the countdown wording, the
 * inactive link turned into the real one when its join window opens, a link being prepared
 * that appears without a reload, and "Try again" for a change that did not reach Google.
 */
import {
	activate,
	init,
	poll,
	refresh,
	relativeTime,
	retry,
	update,
} from '../../blocks/meet-controls/view';

const MEET = 'https://meet.google.com/abc-defg-hij';

/** The markup MFK_Meet_View prints for a meeting whose window opens at `opensAt`. */
function render( opensAt: Date ): HTMLElement {
	const wrapper = document.createElement( 'div' );
	wrapper.className = 'mfk-meet';
	wrapper.innerHTML = `<ul class="mfk-meet__list"><li class="mfk-meet__item is-ready is-upcoming" data-mfk-phase="upcoming">
		<p class="mfk-meet__actions"><a class="mfk-meet__button is-disabled" role="link" aria-disabled="true" data-mfk-href="${ MEET }" data-mfk-opens-at="${ opensAt.toISOString() }" data-mfk-open-text="The meeting is open.">Join Google Meet</a></p>
		<p class="mfk-meet__status"><span data-mfk-countdown-line>Opens <span data-mfk-countdown>in 25 minutes</span>.</span> You can join 10 minutes before the start.</p>
		<p role="status" data-mfk-live></p>
	</li></ul>`;
	document.body.appendChild( wrapper );
	return wrapper;
}

afterEach( () => {
	document.body.innerHTML = '';
	jest.useRealTimers();
} );

describe( 'relativeTime', () => {
	it.each( [
		[ 1, 'in 1 minute' ],
		[ 59_000, 'in 1 minute' ],
		[ 60_000, 'in 1 minute' ],
		[ 60_001, 'in 2 minutes' ],
		[ 59 * 60_000, 'in 59 minutes' ],
		[ 90 * 60_000, 'in 2 hours' ],
		[ 47 * 3_600_000, 'in 47 hours' ],
		[ 3 * 86_400_000, 'in 3 days' ],
	] )( '%d ms is "%s"', ( ms, text ) => {
		expect( relativeTime( ms, 'en' ) ).toBe( text );
	} );

	it( 'uses the page language', () => {
		expect( relativeTime( 5 * 60_000, 'de' ) ).toBe( 'in 5 Minuten' );
	} );

	it( 'falls back to the default language for an invalid tag', () => {
		expect( relativeTime( 5 * 60_000, 'not a language!' ) ).toMatch( /5/ );
	} );
} );

describe( 'update', () => {
	it( 'refreshes the countdown and asks to be called when the minute changes', () => {
		const now = Date.parse( '2030-01-01T10:00:00Z' );
		const root = render( new Date( now + 25.5 * 60_000 ) );
		const link = root.querySelector< HTMLElement >(
			'[data-mfk-opens-at]'
		)!;
		expect( update( link, now ) ).toBe( 30_000 );
		expect(
			root.querySelector( '[data-mfk-countdown]' )!.textContent
		).toBe( 'in 26 minutes' );
		expect( link.getAttribute( 'href' ) ).toBeNull();
	} );

	it( 'never waits more than a minute, so a sleeping device catches up', () => {
		const now = Date.parse( '2030-01-01T10:00:00Z' );
		const root = render( new Date( now + 5 * 86_400_000 ) );
		const link = root.querySelector< HTMLElement >(
			'[data-mfk-opens-at]'
		)!;
		expect( update( link, now ) ).toBe( 60_000 );
	} );

	it( 'activates the link once the window is open', () => {
		const now = Date.parse( '2030-01-01T10:00:00Z' );
		const root = render( new Date( now - 1 ) );
		const link = root.querySelector< HTMLElement >( '.mfk-meet__button' )!;
		expect( update( link, now ) ).toBeNull();
		expect( link.getAttribute( 'href' ) ).toBe( MEET );
		expect( link.getAttribute( 'target' ) ).toBe( '_blank' );
		expect( link.getAttribute( 'rel' ) ).toBe( 'noopener noreferrer' );
		expect( link.hasAttribute( 'aria-disabled' ) ).toBe( false );
		expect( link.hasAttribute( 'role' ) ).toBe( false );
		expect( link.classList.contains( 'is-disabled' ) ).toBe( false );
		const item = root.querySelector< HTMLElement >( '.mfk-meet__item' )!;
		expect( item.dataset.mfkPhase ).toBe( 'open' );
		expect( item.classList.contains( 'is-open' ) ).toBe( true );
		expect( root.querySelector( '.mfk-meet__status' )!.textContent ).toBe(
			'The meeting is open.'
		);
		expect( root.querySelector( '[data-mfk-live]' )!.textContent ).toBe(
			'The meeting is open.'
		);
	} );

	it( 'ignores markup without a valid instant', () => {
		const root = render( new Date() );
		root.querySelector( '[data-mfk-opens-at]' )!.setAttribute(
			'data-mfk-opens-at',
			'soon'
		);
		const link = root.querySelector< HTMLElement >(
			'[data-mfk-opens-at]'
		)!;
		expect( update( link, Date.now() ) ).toBeNull();
		expect( link.getAttribute( 'href' ) ).toBeNull();
	} );
} );

describe( 'activate', () => {
	it( 'does nothing without a link to go to', () => {
		const root = render( new Date() );
		const link = root.querySelector< HTMLElement >( '.mfk-meet__button' )!;
		link.removeAttribute( 'data-mfk-href' );
		activate( link );
		expect( link.getAttribute( 'aria-disabled' ) ).toBe( 'true' );
	} );
} );

describe( 'init', () => {
	it( 'opens the link by itself when the time comes', () => {
		jest.useFakeTimers( { now: Date.parse( '2030-01-01T10:00:00Z' ) } );
		const root = render( new Date( Date.now() + 3 * 60_000 + 10_000 ) );
		init( root );
		const link = root.querySelector< HTMLElement >( '.mfk-meet__button' )!;
		expect(
			root.querySelector( '[data-mfk-countdown]' )!.textContent
		).toBe( 'in 4 minutes' );
		jest.advanceTimersByTime( 10_000 );
		expect(
			root.querySelector( '[data-mfk-countdown]' )!.textContent
		).toBe( 'in 3 minutes' );
		expect( link.getAttribute( 'href' ) ).toBeNull();
		jest.advanceTimersByTime( 3 * 60_000 );
		expect( link.getAttribute( 'href' ) ).toBe( MEET );
	} );

	it( 'leaves other parts of the page alone', () => {
		const outside = document.createElement( 'a' );
		outside.dataset.mfkOpensAt = new Date( 0 ).toISOString();
		outside.dataset.mfkHref = MEET;
		document.body.appendChild( outside );
		init();
		expect( outside.getAttribute( 'href' ) ).toBeNull();
	} );
} );

/** The markup MFK_Meet_View prints for a meeting whose link is being prepared. */
function renderPending(): HTMLElement {
	const wrapper = document.createElement( 'div' );
	wrapper.className = 'mfk-meet';
	wrapper.innerHTML = `<ul class="mfk-meet__list"><li class="mfk-meet__item is-pending is-open" data-mfk-appointment="7" data-mfk-state="pending" data-mfk-phase="open" data-mfk-role="guest" data-mfk-refresh="/wp-json/meet-for-kivicare/v1/appointments/7/meeting?render=1" data-mfk-nonce="n0nce" data-mfk-ready-text="The video link is ready."><p class="mfk-meet__status">The video link is being prepared. <a class="mfk-meet__link" href="/consultation/">Check again</a></p></li></ul>`;
	document.body.appendChild( wrapper );
	return wrapper;
}

const READY_HTML = `<li class="mfk-meet__item is-ready is-open" data-mfk-appointment="7" data-mfk-state="ready" data-mfk-phase="open" data-mfk-role="guest"><p class="mfk-meet__actions"><a class="mfk-meet__button" href="${ MEET }" target="_blank" rel="noopener noreferrer">Join Google Meet</a></p></li>`;

/** Answers of the REST API, one per call, as `fetch` resolves them. */
function answers(
	...list: Array< { status: number; body?: unknown } | Error >
) {
	const fetchMock = jest.fn();
	for ( const a of list ) {
		if ( a instanceof Error ) {
			fetchMock.mockRejectedValueOnce( a );
		} else {
			fetchMock.mockResolvedValueOnce( {
				ok: a.status < 400,
				status: a.status,
				json: async () => a.body,
			} );
		}
	}
	( globalThis as { fetch?: unknown } ).fetch = fetchMock;
	return fetchMock;
}

/** Lets the timers and the promises of one refresh run. */
async function elapse( ms: number ) {
	await jest.advanceTimersByTimeAsync( ms );
}

describe( 'refresh', () => {
	it( 'swaps in the ready markup, says so to assistive technology, and stops', async () => {
		jest.useFakeTimers();
		const root = renderPending();
		const fetchMock = answers( {
			status: 200,
			body: { state: 'ready', html: READY_HTML },
		} );
		const item = root.querySelector< HTMLElement >( '.mfk-meet__item' )!;
		const result = await refresh( item );
		expect( fetchMock ).toHaveBeenCalledWith(
			'/wp-json/meet-for-kivicare/v1/appointments/7/meeting?render=1',
			expect.objectContaining( {
				credentials: 'same-origin',
				headers: { 'X-WP-Nonce': 'n0nce' },
			} )
		);
		expect( result.again ).toBe( false );
		expect( item.isConnected ).toBe( false );
		const link = root.querySelector( '.mfk-meet__button' )!;
		expect( link.textContent ).toBe( 'Join Google Meet' );
		expect( link.getAttribute( 'href' ) ).toBe( MEET );
		await elapse( 100 );
		expect( root.querySelector( '[role="status"]' )!.textContent ).toBe(
			'The video link is ready.'
		);
	} );

	it( 'leaves the page as it is while the link is still being prepared', async () => {
		const root = renderPending();
		const before = root.innerHTML;
		answers( {
			status: 200,
			body: {
				state: 'pending',
				html: '<li data-mfk-state="pending">other</li>',
			},
		} );
		const item = root.querySelector< HTMLElement >( '.mfk-meet__item' )!;
		expect( await refresh( item ) ).toEqual( { item, again: true } );
		expect( root.innerHTML ).toBe( before );
	} );

	it( 'gives up quietly when the visitor may no longer ask, and retries after a server error', async () => {
		const root = renderPending();
		const before = root.innerHTML;
		const item = root.querySelector< HTMLElement >( '.mfk-meet__item' )!;
		answers(
			{ status: 403, body: { code: 'rest_forbidden' } },
			{ status: 503, body: {} },
			new TypeError( 'network' )
		);
		expect( ( await refresh( item ) ).again ).toBe( false );
		expect( ( await refresh( item ) ).again ).toBe( true );
		expect( ( await refresh( item ) ).again ).toBe( true );
		expect( root.innerHTML ).toBe( before );
	} );
} );

describe( 'poll', () => {
	it( 'asks ever more slowly until the link is there', async () => {
		jest.useFakeTimers();
		const root = renderPending();
		const pending = {
			status: 200,
			body: { state: 'pending', html: '<li></li>' },
		};
		const fetchMock = answers( pending, pending, pending, {
			status: 200,
			body: { state: 'ready', html: READY_HTML },
		} );
		init( root );
		await elapse( 4_999 );
		expect( fetchMock ).toHaveBeenCalledTimes( 0 );
		await elapse( 1 );
		expect( fetchMock ).toHaveBeenCalledTimes( 1 );
		await elapse( 10_000 );
		expect( fetchMock ).toHaveBeenCalledTimes( 2 );
		await elapse( 20_000 );
		expect( fetchMock ).toHaveBeenCalledTimes( 3 );
		expect( root.querySelector( '.mfk-meet__button' ) ).toBeNull();
		await elapse( 30_000 );
		expect( fetchMock ).toHaveBeenCalledTimes( 4 );
		expect(
			root.querySelector( '.mfk-meet__button' )!.getAttribute( 'href' )
		).toBe( MEET );
		await elapse( 10 * 60_000 );
		expect( fetchMock ).toHaveBeenCalledTimes( 4 );
	} );

	it( 'stops after half an hour; the Check again link stays', async () => {
		jest.useFakeTimers();
		const root = renderPending();
		const pending = {
			status: 200,
			body: { state: 'pending', html: '<li></li>' },
		};
		const fetchMock = answers( ...Array( 60 ).fill( pending ) );
		poll( root.querySelector< HTMLElement >( '.mfk-meet__item' )! );
		await elapse( 60 * 60_000 );
		// 5 + 10 + 20 + 30 s, then every minute until 30 minutes have passed.
		expect( fetchMock ).toHaveBeenCalledTimes( 4 + 28 );
		expect( root.textContent ).toContain( 'Check again' );
	} );
} );

/** The markup of a ready link whose latest change failed, with "Try again" for staff. */
function renderFailedChange(): HTMLElement {
	const wrapper = document.createElement( 'div' );
	wrapper.className = 'mfk-meet';
	wrapper.innerHTML = `<ul class="mfk-meet__list"><li class="mfk-meet__item is-ready is-open" data-mfk-appointment="7" data-mfk-state="ready" data-mfk-phase="open" data-mfk-role="staff">
		<p class="mfk-meet__actions"><a class="mfk-meet__button" href="${ MEET }">Start Google Meet</a></p>
		<p class="mfk-meet__status mfk-meet__sync" data-mfk-sync="failed">The latest change did not reach Google: Google usage limits reached. <button type="button" class="mfk-meet__retry" hidden data-mfk-retry="/wp-json/meet-for-kivicare/v1/appointments/7/meeting/retry?render=1" data-mfk-nonce="n0nce" data-mfk-busy-text="Trying again…">Try again</button> <a class="mfk-meet__link" href="/page">Check again</a></p>
	</li></ul>`;
	document.body.appendChild( wrapper );
	return wrapper;
}

describe( 'Try again', () => {
	it( 'is hidden without this script, shown with it, and swaps in the outcome of the retry route', async () => {
		const root = renderFailedChange();
		const button = root.querySelector< HTMLButtonElement >(
			'button[data-mfk-retry]'
		)!;
		expect( button.hidden ).toBe( true );
		const fetchMock = answers( {
			status: 200,
			body: {
				state: 'ready',
				sync: 'in_step',
				html: `<li class="mfk-meet__item is-ready is-open" data-mfk-appointment="7" data-mfk-state="ready"><p class="mfk-meet__actions"><a class="mfk-meet__button" href="${ MEET }">Start Google Meet</a></p></li>`,
			},
		} );
		init( root );
		expect( button.hidden ).toBe( false );
		button.click();
		expect( button.disabled ).toBe( true );
		expect( button.textContent ).toBe( 'Trying again…' );
		// The click's request and its answer.
		await new Promise( ( resolve ) => setTimeout( resolve, 0 ) );
		expect( fetchMock ).toHaveBeenCalledWith(
			'/wp-json/meet-for-kivicare/v1/appointments/7/meeting/retry?render=1',
			expect.objectContaining( {
				method: 'POST',
				credentials: 'same-origin',
				headers: { 'X-WP-Nonce': 'n0nce' },
			} )
		);
		expect( root.querySelector( '.mfk-meet__sync' ) ).toBeNull();
		expect(
			root.querySelector( '.mfk-meet__button' )!.getAttribute( 'href' )
		).toBe( MEET );
	} );

	it( 'is offered again when the server does not answer', async () => {
		const root = renderFailedChange();
		answers( new TypeError( 'network' ) );
		const button = root.querySelector< HTMLButtonElement >(
			'button[data-mfk-retry]'
		)!;
		const item = await retry( button );
		expect( item ).toBe( root.querySelector( '.mfk-meet__item' ) );
		expect( button.disabled ).toBe( false );
		expect( button.textContent ).toBe( 'Try again' );
	} );
} );
