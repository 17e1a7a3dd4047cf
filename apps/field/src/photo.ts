/** Taking (or choosing) a photo for a job: the bytes as captured; Palisade strips the metadata on upload. */
import * as ImagePicker from 'expo-image-picker';

export async function pickPhoto(): Promise<{ bytes: Uint8Array; type: string } | undefined> {
  // exif: false — the app does not even read the location the camera wrote.
  const result = await ImagePicker.launchImageLibraryAsync({ mediaTypes: ['images'], quality: 1, exif: false, base64: false });
  if (result.canceled || !result.assets[0]) return undefined;
  const asset = result.assets[0];
  const bytes = new Uint8Array(await (await fetch(asset.uri)).arrayBuffer());
  return { bytes, type: asset.mimeType ?? 'image/jpeg' };
}
