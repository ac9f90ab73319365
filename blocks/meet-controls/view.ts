/**
 * Front-end enhancement of the Meet controls: a join button rendered disabled because the
 * meeting does not open yet carries `data-mfk-opens-at` (an ISO 8601 instant); it is enabled
 * when that moment comes, without a page reload. Without JavaScript the server-rendered state
 * stays correct and a reload shows the enabled button.
 */

const SELECTOR =
	'.wp-block-meet-for-kivicare-meet-controls [data-mfk-opens-at]';

// Browsers run setTimeout callbacks late rather than early, but cap the delay: timers longer
// than ~24.8 days overflow, and a device that sleeps should re-check soon after waking.
const MAX_DELAY_MS = 60 * 60 * 1000;

/** Enables the button now or schedules it; returns the timer so callers can cancel it. */
export function scheduleOpening(
	element: HTMLElement,
	now: () => number = Date.now
): ReturnType< typeof setTimeout > | null {
	const opensAt = Date.parse( element.dataset.mfkOpensAt ?? '' );
	if ( Number.isNaN( opensAt ) ) {
		return null;
	}
	const wait = opensAt - now();
	if ( wait <= 0 ) {
		element.removeAttribute( 'disabled' );
		element.removeAttribute( 'aria-disabled' );
		element.removeAttribute( 'data-mfk-opens-at' );
		return null;
	}
	return setTimeout(
		() => scheduleOpening( element, now ),
		Math.min( wait, MAX_DELAY_MS )
	);
}

export function initMeetControls( root: ParentNode = document ): void {
	root.querySelectorAll< HTMLElement >( SELECTOR ).forEach( ( element ) => {
		scheduleOpening( element );
	} );
}

if ( typeof document !== 'undefined' ) {
	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', () =>
			initMeetControls()
		);
	} else {
		initMeetControls();
	}
}
