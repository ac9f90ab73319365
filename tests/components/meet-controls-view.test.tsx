/**
 * The Meet controls' view script on server-rendered markup: the countdown wording, and the
 * inactive link turned into the real one when its join window opens.
 */
import {
	activate,
	init,
	relativeTime,
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
