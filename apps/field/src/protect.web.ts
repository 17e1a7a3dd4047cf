/** A browser cannot block screenshots: nothing to do on the web build (README: verified on a device only). */
export function useScreenProtection(): void {}
