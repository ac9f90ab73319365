/** Request schemas of the Meet space routes (access step, attendance). */
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

/** An RFC 3339 instant with its offset. */
const rfc3339 = {
	type: 'string',
	maxLength: 40,
	pattern:
		'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
};

export const attendanceBody = {
	type: 'object',
	required: [ 'siteId', 'client', 'credential', 'meetingCode', 'from', 'to' ],
	properties: {
		siteId,
		client,
		credential: sealed,
		meetingCode: {
			type: 'string',
			pattern: '^[a-z]{3}-[a-z]{4}-[a-z]{3}$',
		},
		from: rfc3339,
		to: rfc3339,
	},
};
