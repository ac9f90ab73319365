/** Request schema of the Meet space access step. */
import { client, sealed, siteId } from './common';

export const spaceAccessBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential', 'meetingCode', 'accessType' ],
	properties: {
		siteId,
		client,
		credential: sealed,
		meetingCode: {
			type: 'string',
			pattern: '^[a-z]{3}-[a-z]{4}-[a-z]{3}$',
		},
		accessType: {
			type: 'string',
			enum: [ 'OPEN', 'TRUSTED', 'RESTRICTED' ],
		},
	},
};
