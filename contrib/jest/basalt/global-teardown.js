// Jest globalTeardown: stops the Basalt that global-setup.js started.
const { stop } = require("./global-setup");

module.exports = async function globalTeardown() {
  await stop(globalThis.__BASALT__);
};
