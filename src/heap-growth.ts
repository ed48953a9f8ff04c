import v8 from 'node:v8';

/**
 * V8 lets the old generation grow to up to 4× what survived the last full GC before it collects again; under
 * load that growth is mostly garbage promoted out of requests in flight, and it took the API's RSS from about
 * 160 MB to 300-480 MB. A fixed 1.25× keeps it under 200 MB, for about five times as many full GCs under the
 * list's load: some 0.25 ms more GC pause a request where a list takes ~7 ms of CPU (README, Performance).
 *
 * main.ts imports this module first, so that every full GC from start-up on sets its next limit with it.
 */
v8.setFlagsFromString('--heap-growing-percent=25');
