/** The few building blocks every screen uses: plain React Native, so one codebase renders on iOS, Android and the web. */
import type { ReactNode } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

export const colors = { ink: '#1b1f24', muted: '#5b6470', line: '#d9dee4', accent: '#1f5fbf', danger: '#b3261e', warn: '#8a5a00', bg: '#f6f7f9', card: '#ffffff' };

export function Screen(props: { title: string; testID?: string; children?: ReactNode; actions?: ReactNode }): ReactNode {
  return (
    <View style={styles.screen} testID={props.testID}>
      <View style={styles.header}>
        <Text style={styles.title} accessibilityRole="header">
          {props.title}
        </Text>
        {props.actions}
      </View>
      {props.children}
    </View>
  );
}

export function Button(props: { label: string; onPress: () => void; testID?: string; kind?: 'primary' | 'plain' | 'danger'; disabled?: boolean }): ReactNode {
  const kind = props.kind ?? 'primary';
  return (
    <Pressable
      accessibilityRole="button"
      testID={props.testID}
      disabled={props.disabled}
      onPress={props.onPress}
      style={[styles.button, kind === 'primary' ? styles.primary : kind === 'danger' ? styles.danger : styles.plain, props.disabled ? styles.disabled : null]}
    >
      <Text style={[styles.buttonText, kind === 'plain' ? { color: colors.accent } : null]}>{props.label}</Text>
    </Pressable>
  );
}

/** The server's words, shown plainly (a 409, a refusal): role="alert" so screen readers say it. */
export function Notice(props: { text: string | undefined; kind?: 'error' | 'info'; testID?: string }): ReactNode {
  if (!props.text) return null;
  return (
    <View accessibilityRole="alert" testID={props.testID ?? 'notice'} style={[styles.notice, props.kind === 'info' ? styles.info : styles.error]}>
      <Text style={{ color: colors.ink }}>{props.text}</Text>
    </View>
  );
}

export const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: colors.bg, padding: 16, gap: 12 },
  header: { flexDirection: 'row', alignItems: 'center', justifyContent: 'space-between', gap: 8 },
  title: { fontSize: 22, fontWeight: '700', color: colors.ink, flexShrink: 1 },
  text: { fontSize: 15, color: colors.ink },
  muted: { fontSize: 13, color: colors.muted },
  card: { backgroundColor: colors.card, borderRadius: 8, borderWidth: 1, borderColor: colors.line, padding: 12, gap: 4 },
  row: { flexDirection: 'row', gap: 8, alignItems: 'center', flexWrap: 'wrap' },
  button: { paddingVertical: 10, paddingHorizontal: 14, borderRadius: 8, alignItems: 'center' },
  primary: { backgroundColor: colors.accent },
  danger: { backgroundColor: colors.danger },
  plain: { backgroundColor: 'transparent', borderWidth: 1, borderColor: colors.line },
  disabled: { opacity: 0.5 },
  buttonText: { color: '#fff', fontWeight: '600', fontSize: 15 },
  notice: { borderRadius: 8, padding: 12, borderWidth: 1 },
  error: { backgroundColor: '#fdecea', borderColor: '#f3b8b3' },
  info: { backgroundColor: '#eaf1fb', borderColor: '#b9cff0' },
  input: { borderWidth: 1, borderColor: colors.line, borderRadius: 8, padding: 10, backgroundColor: '#fff', fontSize: 15 },
});
