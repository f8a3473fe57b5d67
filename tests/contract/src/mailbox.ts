// The test's mailbox: the `.eml` files the service writes under MAIL_DIR when SMTP_URL is unset.
// Messages are MIME multipart/alternative with an 8bit text/plain part; quoted-printable and base64
// parts are decoded too, so a change of transfer encoding does not break the walk.

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

export interface Email {
  file: string;
  to: string;
  subject: string;
  /** The text/plain part, decoded. */
  text: string;
}

export class Mailbox {
  private readonly seen = new Set<string>();

  constructor(readonly dir: string) {}

  /** Marks the messages already there as read: `next` only returns messages that arrive later. */
  async skipExisting(): Promise<void> {
    for (const file of await this.files()) this.seen.add(file);
  }

  /** Waits for the next unread message that `matches`, and marks it read. */
  async next(matches: (email: Email) => boolean, what: string, timeoutMs = 20_000): Promise<Email> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const file of await this.files()) {
        if (this.seen.has(file)) continue;
        const email = parseEml(file, await readFile(path.join(this.dir, file), "utf8"));
        if (matches(email)) {
          this.seen.add(file);
          return email;
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`no email ${what} arrived in ${this.dir} within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The next message addressed to `address`. */
  nextTo(address: string): Promise<Email> {
    const wanted = address.toLowerCase();
    return this.next((e) => e.to.toLowerCase().includes(wanted), `to ${address}`);
  }

  private async files(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith(".eml")).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }
}

/** The one-time token of the password link in an email (`…/mot-de-passe#token=…`). */
export function passwordToken(email: Email): string {
  const match = /[#?&]token=([A-Za-z0-9_-]+)/.exec(email.text);
  if (!match?.[1]) throw new Error(`no password link in the email "${email.subject}" (${email.file})`);
  return match[1];
}

export function parseEml(file: string, raw: string): Email {
  const { headers, body } = splitHeaders(raw);
  const contentType = headers.get("content-type") ?? "text/plain";
  let text: string;
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    const plain = parts
      .map((part) => splitHeaders(part.replace(/^\r?\n/, "")))
      .find((part) => (part.headers.get("content-type") ?? "").toLowerCase().startsWith("text/plain"));
    if (!plain) throw new Error(`no text/plain part in ${file}`);
    text = decodeBody(plain.body, plain.headers.get("content-transfer-encoding"));
  } else {
    text = decodeBody(body, headers.get("content-transfer-encoding"));
  }
  return {
    file,
    to: headers.get("to") ?? "",
    subject: decodeEncodedWords(headers.get("subject") ?? ""),
    text,
  };
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const normalised = raw.replace(/\r\n/g, "\n");
  const end = normalised.indexOf("\n\n");
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? "" : normalised.slice(end + 2);
  const headers = new Map<string, string>();
  // Folded header lines continue with whitespace.
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? "8bit").toLowerCase()) {
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    case "quoted-printable":
      return Buffer.from(
        body.replace(/=\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        "latin1",
      ).toString("utf8");
    default:
      return body;
  }
}

/** RFC 2047 encoded words (`=?utf-8?b?…?=`), as lettre writes non-ASCII subjects. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=/g, (_, _charset: string, kind: string, data: string) =>
      kind.toLowerCase() === "b"
        ? Buffer.from(data, "base64").toString("utf8")
        : Buffer.from(
            data.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            "latin1",
          ).toString("utf8"),
    );
}
