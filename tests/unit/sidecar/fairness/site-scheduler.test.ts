/**
 * The fair share of Google calls: free slots go to waiting sites in turn, so a site with a
 * backlog holds no more than its share while others wait, and a newcomer is served within one
 * round.
 */
import { SiteScheduler } from '../../../../src/sidecar/fairness/site-scheduler';

const far = () => Date.now() + 60000;

test( 'slots are handed to waiting sites in turn, whatever each one asked for', async () => {
	const s = new SiteScheduler( 2 );
	const order: string[] = [];
	const held: Array< () => void > = [];
	// The busy site takes both slots and queues 6 more calls before the others arrive.
	for ( let i = 0; i < 8; i++ ) {
		s.acquire( 'busy', far() ).then( ( release ) => {
			order.push( 'busy' );
			held.push( release );
		} );
	}
	await Promise.resolve();
	for ( const site of [ 'quiet', 'other', 'other' ] ) {
		s.acquire( site, far() ).then( ( release ) => {
			order.push( site );
			held.push( release );
		} );
	}
	await new Promise( ( r ) => setImmediate( r ) );
	expect( order ).toEqual( [ 'busy', 'busy' ] );
	expect( s.inFlightFor( 'busy' ) ).toBe( 2 );
	// Each call that ends frees a slot for the next site in turn.
	for ( let i = 0; i < 5; i++ ) {
		held.shift()?.();
		await new Promise( ( r ) => setImmediate( r ) );
	}
	expect( order ).toEqual( [
		'busy',
		'busy',
		'busy',
		'quiet',
		'other',
		'busy',
		'other',
	] );
	expect( s.active ).toBe( 2 );
	// The rest: the busy site alone, one slot after the other.
	while ( held.length > 0 ) {
		held.shift()?.();
		await new Promise( ( r ) => setImmediate( r ) );
	}
	expect( order.filter( ( site ) => site === 'busy' ) ).toHaveLength( 8 );
	expect( s.active ).toBe( 0 );
} );

test( 'a call that waits past its deadline is refused as rate_limited and leaves the queue', async () => {
	const s = new SiteScheduler( 1 );
	const release = await s.acquire( 'busy', far() );
	await expect( s.acquire( 'late', Date.now() + 20 ) ).rejects.toMatchObject(
		{ code: 'rate_limited' }
	);
	const next = s.acquire( 'next', far() );
	release();
	( await next )();
	expect( s.active ).toBe( 0 );
} );
