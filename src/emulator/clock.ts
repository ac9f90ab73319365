/**
 * The emulator's clock for token lifetimes: the real time plus an offset a test moves forward,
 * so "a week later" (an app in Testing losing its refresh tokens) takes no week.
 */
export class Clock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	/** Moves the clock forward (back only by `reset()`, which a test uses to tidy up after itself). */
	advance( seconds: number ): void {
		this.offsetMs += seconds * 1000;
	}

	get offsetSeconds(): number {
		return this.offsetMs / 1000;
	}

	reset(): void {
		this.offsetMs = 0;
	}
}
