/**
 * The shape of each area's fastify plugin: its routes, given the emulator's state.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorState } from './state';

export type AreaPlugin = FastifyPluginAsync< { state: EmulatorState } >;
