/**
 * Enrolment keys: the derivation WordPress and the sidecar agree on (a fixed vector, also checked
 * on the PHP side), the key's format, and what is not a key.
 */
import {
	enrol,
	formatEnrolmentKey,
	parseEnrolmentKey,
	siteSecret,
} from '../../../../src/sidecar/tenancy/enrolment';
import { parseRevocations } from '../../../../src/sidecar/tenancy/revocations';

const MASTER = Buffer.alloc( 32, 1 );
const SITE = '0b7c2f1e-1111-4222-8333-444455556666';

test( 'the site secret is HMAC-SHA256 of the master key over "mfk-site-secret:v1:" and the site id', () => {
	expect( siteSecret( MASTER, SITE ) ).toBe(
		'VuZLogwA3tg-VqEtJnZsth0LtmWwNoMSuni839n4lhY'
	);
	expect(
		formatEnrolmentKey( enrol( [ { kid: 'm1', key: MASTER } ], SITE ) )
	).toBe( `mfke1.m1.${ SITE }.VuZLogwA3tg-VqEtJnZsth0LtmWwNoMSuni839n4lhY` );
} );

test( 'only well-formed keys are read; site ids are checked when enrolling', () => {
	const good = `mfke1.m1.${ SITE }.${ 'A'.repeat( 43 ) }`;
	expect( parseEnrolmentKey( ` ${ good }\n` ) ).toEqual( {
		kid: 'm1',
		siteId: SITE,
		secret: 'A'.repeat( 43 ),
	} );
	for ( const bad of [
		'',
		'mfke1',
		good.replace( 'mfke1', 'mfke2' ),
		`${ good }.x`,
		good.slice( 0, -1 ),
		`mfke1.m 1.${ SITE }.${ 'A'.repeat( 43 ) }`,
	] ) {
		expect( parseEnrolmentKey( bad ) ).toBeNull();
	}
	expect( () => enrol( [ { kid: 'm1', key: MASTER } ], 'short' ) ).toThrow(
		/site id/
	);
	expect( () => enrol( [], SITE ) ).toThrow( /MFK_MASTER_KEYS/ );
} );

test( 'revoke lists take commas, lines and comments', () => {
	expect(
		parseRevocations(
			`a-site-0001, b-site-0002:m1\n# comment\n\nc-site-0003 # why\n`
		)
	).toEqual( [ 'a-site-0001', 'b-site-0002:m1', 'c-site-0003' ] );
} );
