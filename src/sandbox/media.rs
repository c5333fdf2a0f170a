//! Real media files: PNG frames drawn with an 8×8 bitmap font, SRT subtitles, WAV tones
//! for voice previews, and a tiny MP4 clip that says on screen that it is sandbox output.

use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};

/// 2-second 160×90 H.264/AAC clip ("HeyGen / SANDBOX / not a real render"), made with
/// ffmpeg's colour source and drawtext; served as every finished video.
pub(crate) const SAMPLE_MP4: &[u8] = include_bytes!("../../assets/sandbox-sample.mp4");
/// The same clip with a caption bar burned in, served as `captioned_video_url`.
pub(crate) const SAMPLE_CAPTIONED_MP4: &[u8] =
    include_bytes!("../../assets/sandbox-sample-captioned.mp4");

const BACKGROUND: [u8; 3] = [30, 58, 95];
const ACCENT: [u8; 3] = [255, 204, 0];
const TEXT: [u8; 3] = [255, 255, 255];
const MUTED: [u8; 3] = [170, 190, 215];

/// A storyboard frame: 640×360 (portrait 360×640) with the scene's text.
pub(crate) fn storyboard_png(
    scene: usize,
    scenes: usize,
    text: &str,
    portrait: bool,
) -> Result<Vec<u8>, png::EncodingError> {
    let (w, h) = if portrait { (360, 640) } else { (640, 360) };
    let mut canvas = Canvas::new(w, h);
    canvas.frame(8, 3);
    canvas.text(
        24,
        24,
        2,
        ACCENT,
        &format!("SCENE {scene} OF {scenes}"),
        w - 48,
    );
    canvas.text(24, 64, 3, TEXT, text, w - 48);
    canvas.text(
        24,
        h - 40,
        1,
        MUTED,
        "heygen-mcp sandbox storyboard",
        w - 48,
    );
    canvas.encode()
}

/// A video thumbnail: 320×180 (portrait 180×320) with the title.
pub(crate) fn thumbnail_png(title: &str, portrait: bool) -> Result<Vec<u8>, png::EncodingError> {
    let (w, h) = if portrait { (180, 320) } else { (320, 180) };
    let mut canvas = Canvas::new(w, h);
    canvas.frame(4, 2);
    canvas.text(14, 14, 2, ACCENT, "SANDBOX", w - 28);
    canvas.text(14, 42, 1, TEXT, title, w - 28);
    canvas.text(14, h - 22, 1, MUTED, "not a real render", w - 28);
    canvas.encode()
}

/// A style's catalogue thumbnail.
pub(crate) fn style_png(name: &str, tags: &[&str]) -> Result<Vec<u8>, png::EncodingError> {
    let mut canvas = Canvas::new(320, 180);
    canvas.frame(4, 2);
    canvas.text(14, 14, 2, ACCENT, name, 292);
    canvas.text(14, 70, 1, TEXT, &tags.join(", "), 292);
    canvas.text(14, 158, 1, MUTED, "sandbox style preview", 292);
    canvas.encode()
}

/// An avatar preview: a plain bust silhouette under the avatar's name and `subtitle` (the
/// look's name, or a group's look count), `width`×`height` pixels.
pub(crate) fn avatar_png(
    name: &str,
    subtitle: &str,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, png::EncodingError> {
    let mut canvas = Canvas::new(width, height);
    let size = width.min(height);
    let body_r = size * 3 / 10;
    let head_r = size / 9;
    let centre = width / 2;
    canvas.disc(centre, height, body_r, MUTED);
    canvas.disc(centre, height - body_r - head_r - 2, head_r, MUTED);
    canvas.frame(4, 2);
    let text_width = width - 28;
    canvas.text(14, 14, 2, ACCENT, name, text_width);
    canvas.text(14, 40, 1, TEXT, subtitle, text_width);
    canvas.text(14, 54, 1, MUTED, "sandbox avatar preview", text_width);
    canvas.encode()
}

/// A brand logo, 256×128: `text` in `foreground` on `background`, large when it is a
/// monogram, with a small "sandbox logo" line so nobody takes it for the real mark.
pub(crate) fn logo_png(
    text: &str,
    background: [u8; 3],
    foreground: [u8; 3],
) -> Result<Vec<u8>, png::EncodingError> {
    const WIDTH: u32 = 256;
    const HEIGHT: u32 = 128;
    let mut canvas = Canvas::filled(WIDTH, HEIGHT, background);
    let chars = text.chars().count().max(1) as u32;
    let scale = if chars <= 3 { 6 } else { 2 };
    let text_width = (chars * 8 * scale).min(WIDTH - 16);
    let x = (WIDTH - text_width) / 2;
    let y = (HEIGHT - 8 * scale) / 2 - 6;
    canvas.text(x, y, scale, foreground, text, WIDTH - x);
    canvas.text(8, HEIGHT - 14, 1, foreground, "sandbox logo", WIDTH - 16);
    canvas.encode()
}

/// Sample rate and length of voice previews: 0.6 s of 16 kHz mono 16-bit PCM (19 KB).
const WAV_RATE: u32 = 16_000;
const WAV_SAMPLES: u32 = WAV_RATE * 6 / 10;
/// Fade in and out over 20 ms so the tone starts and stops without a click.
const WAV_FADE: u32 = WAV_RATE / 50;
/// Said inside the file (RIFF INFO comment), so nobody mistakes the tone for the voice.
const WAV_COMMENT: &[u8] = b"heygen-mcp sandbox voice preview: a tone, not speech\0";

/// A voice preview: a sine tone at `hz` as a RIFF/WAVE file (`fmt `, `LIST`/`INFO`,
/// `data`), since the sandbox has no speech to play.
pub(crate) fn tone_wav(hz: u32) -> Vec<u8> {
    let mut info = b"INFO".to_vec();
    chunk(&mut info, b"ICMT", WAV_COMMENT);
    let mut fmt = Vec::with_capacity(16);
    fmt.extend_from_slice(&1u16.to_le_bytes()); // PCM
    fmt.extend_from_slice(&1u16.to_le_bytes()); // mono
    fmt.extend_from_slice(&WAV_RATE.to_le_bytes());
    fmt.extend_from_slice(&(WAV_RATE * 2).to_le_bytes()); // bytes per second
    fmt.extend_from_slice(&2u16.to_le_bytes()); // block align
    fmt.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    let mut data = Vec::with_capacity(WAV_SAMPLES as usize * 2);
    for i in 0..WAV_SAMPLES {
        let edge = i.min(WAV_SAMPLES - 1 - i);
        let envelope = f64::from(edge.min(WAV_FADE)) / f64::from(WAV_FADE);
        let phase = std::f64::consts::TAU * f64::from(hz) * f64::from(i) / f64::from(WAV_RATE);
        let sample = (phase.sin() * envelope * 0.3 * f64::from(i16::MAX)).round() as i16;
        data.extend_from_slice(&sample.to_le_bytes());
    }
    let mut body = b"WAVE".to_vec();
    chunk(&mut body, b"fmt ", &fmt);
    chunk(&mut body, b"LIST", &info);
    chunk(&mut body, b"data", &data);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// A RIFF chunk: id, little-endian size, payload, and a pad byte to an even length.
fn chunk(out: &mut Vec<u8>, id: &[u8; 4], payload: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        out.push(0);
    }
}

/// SubRip subtitles: one cue per scene, the scenes sharing the video's duration evenly.
pub(crate) fn srt(scenes: &[String], duration: f64) -> String {
    let count = scenes.len().max(1);
    let per_scene_ms = (duration * 1000.0 / count as f64).round() as u64;
    let mut out = String::new();
    for (i, text) in scenes.iter().enumerate() {
        let start = per_scene_ms * i as u64;
        let end = start + per_scene_ms;
        out.push_str(&format!(
            "{}\n{} --> {}\n{}\n\n",
            i + 1,
            srt_time(start),
            srt_time(end),
            text
        ));
    }
    out
}

fn srt_time(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02},{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

fn glyph(c: char) -> [u8; 8] {
    let code = c as usize;
    match code {
        0x20..=0x7e => BASIC_LEGACY[code],
        0xa0..=0xff => LATIN_LEGACY[code - 0xa0],
        _ => BASIC_LEGACY[usize::from(b'?')],
    }
}

struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Self::filled(width, height, BACKGROUND)
    }

    fn filled(width: u32, height: u32, colour: [u8; 3]) -> Self {
        let mut pixels = Vec::with_capacity((width * height * 3) as usize);
        for _ in 0..width * height {
            pixels.extend_from_slice(&colour);
        }
        Self {
            width,
            height,
            pixels,
        }
    }

    fn put(&mut self, x: u32, y: u32, colour: [u8; 3]) {
        if x < self.width && y < self.height {
            let at = ((y * self.width + x) * 3) as usize;
            self.pixels[at..at + 3].copy_from_slice(&colour);
        }
    }

    /// A filled circle; the parts outside the canvas are dropped.
    fn disc(&mut self, cx: u32, cy: u32, r: u32, colour: [u8; 3]) {
        let r2 = i64::from(r) * i64::from(r);
        for y in cy.saturating_sub(r)..=cy + r {
            for x in cx.saturating_sub(r)..=cx + r {
                let (dx, dy) = (i64::from(x) - i64::from(cx), i64::from(y) - i64::from(cy));
                if dx * dx + dy * dy <= r2 {
                    self.put(x, y, colour);
                }
            }
        }
    }

    /// A border `thickness` pixels wide, `inset` pixels from the edge.
    fn frame(&mut self, inset: u32, thickness: u32) {
        let (w, h) = (self.width, self.height);
        for t in 0..thickness {
            let (left, top) = (inset + t, inset + t);
            let (right, bottom) = (w - 1 - inset - t, h - 1 - inset - t);
            for x in left..=right {
                self.put(x, top, ACCENT);
                self.put(x, bottom, ACCENT);
            }
            for y in top..=bottom {
                self.put(left, y, ACCENT);
                self.put(right, y, ACCENT);
            }
        }
    }

    /// Word-wrapped text at `scale`× the 8×8 font; returns the y below the last line.
    fn text(&mut self, x: u32, y: u32, scale: u32, colour: [u8; 3], text: &str, width: u32) -> u32 {
        let per_line = (width / (8 * scale)).max(1) as usize;
        let line_height = 10 * scale;
        let mut cursor_y = y;
        for line in wrap(text, per_line) {
            if cursor_y + line_height > self.height {
                break;
            }
            for (i, c) in line.chars().enumerate() {
                self.glyph(x + i as u32 * 8 * scale, cursor_y, scale, colour, c);
            }
            cursor_y += line_height;
        }
        cursor_y
    }

    fn glyph(&mut self, x: u32, y: u32, scale: u32, colour: [u8; 3], c: char) {
        for (row, bits) in glyph(c).iter().enumerate() {
            for col in 0..8u32 {
                if bits & (1 << col) == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        self.put(x + col * scale + dx, y + row as u32 * scale + dy, colour);
                    }
                }
            }
        }
    }

    fn encode(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }
}

/// Greedy word wrap to `per_line` characters; over-long words are cut.
fn wrap(text: &str, per_line: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: String = word.to_string();
        while word.chars().count() > per_line {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.chars().take(per_line).collect());
            word = word.chars().skip(per_line).collect();
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > per_line && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
    }

    #[test]
    fn srt_cues_cover_the_duration() {
        let text = srt(&["a".into(), "b".into()], 30.0);
        assert!(text.starts_with("1\n00:00:00,000 --> 00:00:15,000\na\n\n2\n"));
        assert!(text.contains("00:00:15,000 --> 00:00:30,000\nb"));
    }

    #[test]
    fn wav_sizes_add_up() {
        let wav = tone_wav(440);
        let riff_size = u32::from_le_bytes([wav[4], wav[5], wav[6], wav[7]]);
        assert_eq!(riff_size as usize, wav.len() - 8);
        assert!(wav.len() > (WAV_SAMPLES * 2) as usize);
    }

    #[test]
    fn pngs_have_the_signature() {
        let bytes = storyboard_png(1, 3, "Hello é ✓", true).unwrap_or_default();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        for text in ["A", "ACME ROBOTICS", ""] {
            let logo = logo_png(text, [0, 0, 0], [255, 255, 255]).unwrap_or_default();
            assert!(logo.starts_with(b"\x89PNG\r\n\x1a\n"), "{text}");
        }
    }
}
