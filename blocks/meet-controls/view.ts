/**
 * Front-end enhancement of the Meet controls (block, shortcode, dashboard widget). A Start/Join
 * link rendered inactive because its join window has not opened carries `data-mfk-opens-at`
 * (an ISO 8601 instant) and `data-mfk-href`. This script keeps the "Opens in …" countdown
 * current and activates the link when the window opens, without a reload. An item whose link
 * is still being prepared carries `data-mfk-refresh` (its REST address): the script asks again
 * now and then and swaps in the server's new markup once the state changes. A "Try again" button
 * (for the doctor and staff, when a change did not reach Google) is rendered hidden and shown
 * here: it asks the retry route and swaps in the answer's markup. Without JavaScript the
 * server-rendered state stays correct and a reload shows the current one.
 */

const SELECTOR = '.mfk-meet [data-mfk-opens-at]';
const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

// Browsers run timers late rather than early (and not at all while a device sleeps), so the
// countdown is re-checked at least every minute instead of trusting one long timer.
const MAX_DELAY_MS = MINUTE_MS;

/**
 * "in 25 minutes", "in 3 hours", "in 2 days" in the page's language, rounded the way the
 * server words it (minutes up, never "in 0 minutes"; hours and days to the nearest).
 */
export function relativeTime( ms: number, locale?: string ): string {
	let format: Intl.RelativeTimeFormat;
	try {
		format = new Intl.RelativeTimeFormat( locale || undefined, {
			numeric: 'always',
		} );
	} catch {
		// An invalid language tag in <html lang>.
		format = new Intl.RelativeTimeFormat( undefined, {
			numeric: 'always',
		} );
	}
	const minutes = Math.max( 1, Math.ceil( ms / MINUTE_MS ) );
	if ( minutes < 60 ) {
		return format.format( minutes, 'minute' );
	}
	const hours = Math.max( 1, Math.round( ms / HOUR_MS ) );
	if ( hours < 48 ) {
		return format.format( hours, 'hour' );
	}
	return format.format( Math.max( 2, Math.round( ms / DAY_MS ) ), 'day' );
}

/** Turns the inactive link into the real one and says so to assistive technology. */
export function activate( link: HTMLElement ): void {
	const href = link.dataset.mfkHref;
	const text = link.dataset.mfkOpenText || '';
	if ( ! href ) {
		return;
	}
	link.setAttribute( 'href', href );
	link.setAttribute( 'target', '_blank' );
	link.setAttribute( 'rel', 'noopener noreferrer' );
	link.removeAttribute( 'role' );
	link.removeAttribute( 'aria-disabled' );
	link.removeAttribute( 'data-mfk-opens-at' );
	link.classList.remove( 'is-disabled' );

	const item = link.closest< HTMLElement >( '.mfk-meet__item' );
	if ( ! item ) {
		return;
	}
	item.dataset.mfkPhase = 'open';
	item.classList.replace( 'is-upcoming', 'is-open' );
	const line = item.querySelector(
		'[data-mfk-countdown-line]'
	)?.parentElement;
	if ( line ) {
		line.textContent = text;
	}
	const live = item.querySelector( '[data-mfk-live]' );
	if ( live ) {
		live.textContent = text;
	}
}

/**
 * Updates one link now: activates it when its window is open, else refreshes its countdown.
 * Returns the delay until it needs another look, or null when it needs none.
 */
export function update( link: HTMLElement, now: number ): number | null {
	const opensAt = Date.parse( link.dataset.mfkOpensAt ?? '' );
	if ( Number.isNaN( opensAt ) ) {
		return null;
	}
	const left = opensAt - now;
	if ( left <= 0 ) {
		activate( link );
		return null;
	}
	const countdown = link
		.closest( '.mfk-meet__item' )
		?.querySelector( '[data-mfk-countdown]' );
	if ( countdown ) {
		countdown.textContent = relativeTime(
			left,
			document.documentElement.lang
		);
	}
	// Wake up when the minute count changes (or the window opens), at most a minute away.
	return Math.min( left % MINUTE_MS || MINUTE_MS, MAX_DELAY_MS );
}

/** Keeps a link current until its window opens. */
export function watch( link: HTMLElement, now: () => number = Date.now ): void {
	const delay = update( link, now() );
	if ( delay !== null ) {
		setTimeout( () => watch( link, now ), delay );
	}
}

// Most links arrive with the queue's next pass (within a minute); then ever more slowly, and
// not at all after half an hour: the page's "Check again" link is still there.
const REFRESH_DELAYS_MS = [ 5, 10, 20, 30, 60 ].map( ( s ) => s * 1000 );
const REFRESH_FOR_MS = 30 * MINUTE_MS;

/**
 * Asks the server for an item's current markup; swaps it in when the state changed.
 * Resolves with the element now on the page and whether to ask again.
 */
export async function refresh(
	item: HTMLElement
): Promise< { item: HTMLElement; again: boolean } > {
	const url = item.dataset.mfkRefresh;
	if ( ! url ) {
		return { item, again: false };
	}
	let answer: { state?: string; html?: string };
	try {
		const res = await fetch( url, {
			credentials: 'same-origin',
			headers: { 'X-WP-Nonce': item.dataset.mfkNonce || '' },
		} );
		if ( ! res.ok ) {
			// Signed out, nonce expired, or no longer allowed: leave the page as it is.
			return { item, again: res.status >= 500 };
		}
		answer = await res.json();
	} catch {
		return { item, again: true };
	}
	if ( ! answer.html || answer.state === item.dataset.mfkState ) {
		return { item, again: true };
	}
	const template = document.createElement( 'template' );
	template.innerHTML = answer.html.trim();
	const next = template.content.firstElementChild;
	if ( ! ( next instanceof HTMLElement ) ) {
		return { item, again: false };
	}
	const readyText = item.dataset.mfkReadyText || '';
	item.replaceWith( next );
	if ( answer.state === 'ready' && readyText ) {
		// An item whose window is still closed has a live region of its own; an open one not.
		let live = next.querySelector< HTMLElement >( '[data-mfk-live]' );
		if ( ! live ) {
			live = document.createElement( 'p' );
			live.className = 'mfk-visually-hidden';
			live.setAttribute( 'role', 'status' );
			live.dataset.mfkLive = '';
			next.append( live );
		}
		const region = live;
		// Filled after insertion so that screen readers announce it.
		setTimeout( () => ( region.textContent = readyText ), 100 );
	}
	next.querySelectorAll< HTMLElement >( SELECTOR ).forEach( ( link ) =>
		watch( link )
	);
	offerRetry( next );
	return { item: next, again: next.hasAttribute( 'data-mfk-refresh' ) };
}

/** Keeps asking for an item's link until it is there, for half an hour at the most. */
export function poll( item: HTMLElement ): void {
	const started = Date.now();
	let attempt = 0;
	const next = ( current: HTMLElement ) => {
		const delay =
			REFRESH_DELAYS_MS[
				Math.min( attempt++, REFRESH_DELAYS_MS.length - 1 )
			]!;
		if ( Date.now() + delay - started > REFRESH_FOR_MS ) {
			return;
		}
		setTimeout( async () => {
			const result = await refresh( current );
			if ( result.again ) {
				next( result.item );
			}
		}, delay );
	};
	next( item );
}

/** Shows the "Try again" buttons (hidden in the markup, since they need this script). */
export function offerRetry( root: ParentNode ): void {
	root.querySelectorAll< HTMLButtonElement >(
		'button[data-mfk-retry]'
	).forEach( ( button ) => {
		button.hidden = false;
		button.addEventListener( 'click', () => retry( button ) );
	} );
}

/** Puts an item's new markup in its place and starts what it needs (countdowns, polling, buttons). */
function swap( item: HTMLElement, html: string ): HTMLElement | null {
	const template = document.createElement( 'template' );
	template.innerHTML = html.trim();
	const next = template.content.firstElementChild;
	if ( ! ( next instanceof HTMLElement ) ) {
		return null;
	}
	item.replaceWith( next );
	init( next );
	return next;
}

/**
 * "Try again": asks the retry route (which runs the meeting now, within the site's time
 * budget) and shows the meeting as it is afterwards. Resolves with the item now on the page.
 */
export async function retry(
	button: HTMLButtonElement
): Promise< HTMLElement | null > {
	const item = button.closest< HTMLElement >( '.mfk-meet__item' );
	const url = button.dataset.mfkRetry;
	if ( ! item || ! url ) {
		return null;
	}
	const label = button.textContent;
	button.disabled = true;
	button.textContent = button.dataset.mfkBusyText || label;
	try {
		const res = await fetch( url, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'X-WP-Nonce': button.dataset.mfkNonce || '' },
		} );
		const answer: { html?: string } = res.ok ? await res.json() : {};
		if ( answer.html ) {
			return swap( item, answer.html );
		}
	} catch {
		// Offline or the server failed: the button is offered again.
	}
	button.disabled = false;
	button.textContent = label;
	return item;
}

export function init( root: ParentNode = document ): void {
	root.querySelectorAll< HTMLElement >( SELECTOR ).forEach( ( link ) =>
		watch( link )
	);
	const items = [
		...( root instanceof HTMLElement &&
		root.matches( '.mfk-meet__item[data-mfk-refresh]' )
			? [ root ]
			: [] ),
		...root.querySelectorAll< HTMLElement >(
			'.mfk-meet__item[data-mfk-refresh]'
		),
	];
	items.forEach( ( item ) => poll( item ) );
	offerRetry( root );
}

if ( typeof document !== 'undefined' ) {
	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', () => init() );
	} else {
		init();
	}
}
