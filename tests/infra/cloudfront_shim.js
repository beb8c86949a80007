// Stand-in for CloudFront's `cloudfront` module: a KeyValueStore held in memory.
// njs loads it as a file named `cloudfront`; Node as node_modules/cloudfront (see test_edge.py).
const store = {};

function kvs() {
  return {
    get: async function (key) {
      // Like CloudFront, a missing key rejects rather than returning undefined.
      if (!Object.prototype.hasOwnProperty.call(store, key)) throw new Error('key not found');
      return store[key];
    },
  };
}

export default { kvs: kvs, testStore: store };
