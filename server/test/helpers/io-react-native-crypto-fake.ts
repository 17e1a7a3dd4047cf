/**
 * @pagopa/io-react-native-crypto's JavaScript interface with its documented behaviour faked in
 * Node: keys live in a map the caller cannot read (the private key is a non-exportable
 * KeyObject stand-in for the Secure Enclave); `generate` rejects `KEY_ALREADY_EXISTS` for a taken
 * tag; `getPublicKeyFixed` returns the strict base64url JWK or rejects `PUBLIC_KEY_NOT_FOUND`;
 * `sign` signs the UTF-8 text with ECDSA P-256 / SHA-256 and resolves to base64 DER; `deleteKey`
 * succeeds for a missing tag. Rejections are `{ message: CODE, userInfo }` as the module's are.
 * `rsaOnly` models an Android Keystore that falls back to RSA 2048.
 */
import { generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import type { IoCryptoPublicKey, IoReactNativeCryptoModule } from '../../../sdk/src/react-native/io-react-native-crypto.ts';

export function fakeIoReactNativeCrypto(options: { rsaOnly?: boolean } = {}) {
  const keys = new Map<string, { privateKey: KeyObject; jwk: IoCryptoPublicKey }>();
  const calls: string[] = [];
  const reject = (code: string) => Promise.reject({ message: code, userInfo: {} });
  const module: IoReactNativeCryptoModule = {
    async generate(tag) {
      calls.push(`generate ${tag}`);
      if (keys.has(tag)) return reject('KEY_ALREADY_EXISTS');
      if (options.rsaOnly) {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const { n, e } = publicKey.export({ format: 'jwk' });
        keys.set(tag, { privateKey, jwk: { kty: 'RSA', alg: 'RS256', n: n!, e: e! } });
      } else {
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const { x, y } = publicKey.export({ format: 'jwk' });
        keys.set(tag, { privateKey, jwk: { kty: 'EC', crv: 'P-256', x: x!, y: y! } });
      }
      return keys.get(tag)!.jwk;
    },
    async getPublicKeyFixed(tag) {
      const key = keys.get(tag);
      return key ? key.jwk : reject('PUBLIC_KEY_NOT_FOUND');
    },
    async sign(message, tag) {
      calls.push(`sign ${tag}`);
      const key = keys.get(tag);
      if (!key) return reject('PUBLIC_KEY_NOT_FOUND');
      return nodeSign('sha256', Buffer.from(message, 'utf8'), key.privateKey).toString('base64');
    },
    async deleteKey(tag) {
      calls.push(`delete ${tag}`);
      keys.delete(tag);
    },
  };
  return { module, keys, calls };
}
