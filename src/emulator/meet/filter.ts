/**
 * The `filter` of conferenceRecords.list (Google's AIP-160 subset the reference documents):
 * comparisons on `space.name`, `space.meeting_code`, `start_time`, `end_time` joined by `AND`;
 * `end_time IS NULL` for calls still running. Anything else is INVALID_ARGUMENT.
 */
import type { StoredRecord, StoredSpace } from './meet-store';

type Test = ( rec: StoredRecord, space: StoredSpace | undefined ) => boolean;

const COMPARE =
	/^(space\.name|space\.meeting_code|start_time|end_time)\s*(=|!=|>=|<=|>|<)\s*"([^"]*)"$/;
const IS_NULL = /^(end_time)\s+IS\s+(NOT\s+)?NULL$/i;

function compare( a: string, op: string, b: string ): boolean {
	switch ( op ) {
		case '=':
			return a === b;
		case '!=':
			return a !== b;
		case '>=':
			return a >= b;
		case '<=':
			return a <= b;
		case '>':
			return a > b;
		default:
			return a < b;
	}
}

/** Times compare as instants, whatever their fractional digits. */
const instant = ( v: string ): string => {
	const t = Date.parse( v );
	return Number.isNaN( t ) ? '' : new Date( t ).toISOString();
};

/** The filter as a predicate, or undefined when Google would refuse it. */
export function parseRecordFilter( filter: string ): Test | undefined {
	const clauses = filter
		.trim()
		.split( /\s+AND\s+/ )
		.map( ( c ) => c.trim() );
	const tests: Test[] = [];
	for ( const clause of clauses ) {
		const isNull = IS_NULL.exec( clause );
		if ( isNull ) {
			const wantNull = ! isNull[ 2 ];
			tests.push( ( rec ) => ( rec.endTime === undefined ) === wantNull );
			continue;
		}
		const m = COMPARE.exec( clause );
		if ( ! m ) {
			return undefined;
		}
		const [ , field, op, value ] = m as unknown as [
			string,
			string,
			string,
			string,
		];
		if ( field === 'space.name' || field === 'space.meeting_code' ) {
			if ( op !== '=' && op !== '!=' ) {
				return undefined;
			}
			tests.push( ( rec, space ) =>
				compare(
					field === 'space.name'
						? rec.space
						: ( space?.meetingCode ?? '' ),
					op,
					value
				)
			);
			continue;
		}
		const bound = instant( value );
		if ( bound === '' ) {
			return undefined;
		}
		tests.push( ( rec ) => {
			const v =
				field === 'start_time' ? rec.startTime : ( rec.endTime ?? '' );
			return v !== '' && compare( instant( v ), op, bound );
		} );
	}
	return ( rec, space ) => tests.every( ( t ) => t( rec, space ) );
}
