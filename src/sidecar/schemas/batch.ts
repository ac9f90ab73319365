/**
 * Request schema of `/v1/batch`: the envelope only. Each operation is checked against its meeting
 * route's schema on its own, so one invalid operation does not refuse the others.
 */
import { str } from './common';
import { MEETING_OPS } from './meetings';

export const batchBody = {
	type: 'object',
	required: [ 'operations' ],
	properties: {
		operations: {
			type: 'array',
			minItems: 1,
			maxItems: 100,
			items: {
				type: 'object',
				required: [ 'op', 'id' ],
				properties: {
					op: { type: 'string', enum: [ ...MEETING_OPS ] },
					id: str( 1, 128 ),
				},
			},
		},
		budgetMs: {
			type: [ 'integer', 'null' ],
			minimum: 1000,
			maximum: 120000,
		},
	},
};
