// Metro for the field app. The SDK (@palisade/client) is the repository's own sdk/ folder, linked
// by the file: dependency: Metro watches it and resolves its dependencies as Node would, from
// the repository's node_modules (the versions the SDK was built and tested with, not older
// copies Expo's tools bring into the app's node_modules). React and React Native alone are
// always the app's copies, so the SDK's React bindings and the app share one React.
const path = require('node:path');
const { getDefaultConfig } = require('expo/metro-config');

const app = __dirname;
const repo = path.resolve(app, '../..');
const config = getDefaultConfig(app);

config.watchFolders = [path.join(repo, 'sdk'), path.join(repo, 'node_modules')];
config.resolver.nodeModulesPaths = [path.join(app, 'node_modules')];
// Package exports, with the SDK's `browser` condition on the web and `react-native` on devices.
config.resolver.unstable_enablePackageExports = true;
config.resolver.unstable_conditionsByPlatform = { ...config.resolver.unstable_conditionsByPlatform, web: ['browser'] };

const SINGLETONS = new Set(['react', 'react-dom', 'react-native', 'react-native-web']);
const fromApp = path.join(app, 'package.json');
config.resolver.resolveRequest = (context, moduleName, platform) => {
  const name = moduleName.startsWith('@') ? moduleName.split('/').slice(0, 2).join('/') : moduleName.split('/')[0];
  if (SINGLETONS.has(name) && !context.originModulePath.startsWith(app + path.sep)) {
    return context.resolveRequest({ ...context, originModulePath: fromApp }, moduleName, platform);
  }
  return context.resolveRequest(context, moduleName, platform);
};

module.exports = config;
