/**
 * How the fastify instance is built: JSON log lines with redaction, request ids, the body limit,
 * graceful closing, and the request validators generated at build time (plugins/validation.ts).
 */
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { LogController, type FastifyServerOptions } from 'fastify';
import type { SidecarConfig } from './env';
import { validatorCompilers } from '../plugins/validation';

/** Log redaction: request bodies are never logged, these paths guard what else might be. */
export const REDACT_PATHS = [
	'req.headers.authorization',
	'req.headers["x-mfk-signature"]',
	'*.clientSecret',
	'*.client_secret',
	'*.credential',
	'*.refreshToken',
	'*.refresh_token',
	'*.accessToken',
	'*.access_token',
	'*.id_token',
	'*.code',
	'*.token',
	'*.secret',
	'err.config',
	'err.response',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface AppOptions {
	/** Where JSON log lines go (default: stdout). */
	logDestination?: DestinationStream;
	/** Other validator compilers: the build step that generates the sidecar's own. */
	validation?: Pick< FastifyServerOptions, 'schemaController' | 'ajv' >;
}

export function serverOptions(
	config: SidecarConfig,
	options: AppOptions = {}
): FastifyServerOptions {
	return {
		logger: {
			level: config.logLevel,
			redact: { paths: REDACT_PATHS, censor: '[redacted]' },
			...( options.logDestination
				? { stream: options.logDestination }
				: {} ),
		},
		// One line per request is written by plugins/request-log.ts instead.
		logController: new LogController( { disableRequestLogging: true } ),
		bodyLimit: config.maxBodyBytes,
		genReqId: ( req ) => {
			const given = req.headers[ 'x-request-id' ];
			return typeof given === 'string' && REQUEST_ID.test( given )
				? given
				: randomUUID();
		},
		forceCloseConnections: 'idle',
		return503OnClosing: true,
		// Its own certificate when it listens beyond loopback (config/hosted.ts).
		...( config.tls
			? { https: { cert: config.tls.cert, key: config.tls.key } }
			: {} ),
		...( options.validation ?? { schemaController: validatorCompilers } ),
	};
}
