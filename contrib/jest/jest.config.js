module.exports = {
  globalSetup: "./basalt/global-setup.js",
  globalTeardown: "./basalt/global-teardown.js",
  testEnvironment: "node",
};
