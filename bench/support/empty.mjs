// An empty ES module: the baseline of bench/clients.mjs's start-up times.
