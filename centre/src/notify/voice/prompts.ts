/**
 * What the voice channel says, in the seven languages of the console (centre/web/shared/i18n.js), and
 * how a call's prompt is put together. The alarm number is spoken digit by digit (pre-rendered digits
 * with a pause between them) so that someone on a landline can write it down and open the responder
 * page or quote it to the centre. Only these texts are language-specific; the audio comes from
 * audio.ts. Kept apart from escalation/messages.ts (the written messages) on purpose.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL = /[\u0000-\u001f\u007f]/g;

export const VOICE_LANGUAGES = ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb'] as const;
export type VoiceLanguage = (typeof VOICE_LANGUAGES)[number];

export interface VoiceTexts {
  intro: string;
  types: Record<string, string>;
  /** For alarm types without a label of their own. */
  otherType: string;
  worker: string;
  site: string;
  duress: string;
  number: string;
  menu: string;
  accepted: string;
  smsOffer: string;
  smsSent: string;
  declined: string;
  goodbye: string;
}

const T: Record<VoiceLanguage, VoiceTexts> = {
  en: {
    intro: 'This is a Vigil alarm.', types: { sos: 'S O S', fall: 'Fall', man_down: 'Man down', no_motion: 'No movement', session_expired: 'Session not ended', check_in_missed: 'Check-in missed', duress: 'Silent alarm' },
    otherType: 'Alarm', worker: 'Worker', site: 'Site', duress: 'Silent alarm: do not call the worker, they may be under threat.', number: 'Alarm number',
    menu: 'Press 1 to accept the alarm. Press 2 if you cannot go.', accepted: 'Thank you. The worker is told that help is coming.',
    smsOffer: 'Press 3 to receive a text message with the link to the alarm.', smsSent: 'The text message is on its way.',
    declined: 'Thank you. We are calling the next person.', goodbye: 'Goodbye.',
  },
  fr: {
    intro: 'Ceci est une alarme Vigil.', types: { sos: 'S O S', fall: 'Chute', man_down: 'Homme à terre', no_motion: 'Absence de mouvement', session_expired: 'Session non terminée', check_in_missed: 'Contrôle de présence manqué', duress: 'Alarme silencieuse' },
    otherType: 'Alarme', worker: 'Travailleur', site: 'Site', duress: "Alarme silencieuse : n'appelez pas le travailleur, il est peut-être menacé.", number: "Numéro d'alarme",
    menu: "Appuyez sur 1 pour accepter l'alarme. Appuyez sur 2 si vous ne pouvez pas intervenir.", accepted: 'Merci. Le travailleur est informé que les secours arrivent.',
    smsOffer: "Appuyez sur 3 pour recevoir un SMS avec le lien de l'alarme.", smsSent: 'Le SMS est envoyé.',
    declined: 'Merci. Nous appelons la personne suivante.', goodbye: 'Au revoir.',
  },
  nl: {
    intro: 'Dit is een Vigil-alarm.', types: { sos: 'S O S', fall: 'Val', man_down: 'Persoon op de grond', no_motion: 'Geen beweging', session_expired: 'Sessie niet beëindigd', check_in_missed: 'Check-in gemist', duress: 'Stil alarm' },
    otherType: 'Alarm', worker: 'Medewerker', site: 'Locatie', duress: 'Stil alarm: bel de medewerker niet, die wordt mogelijk bedreigd.', number: 'Alarmnummer',
    menu: 'Druk op 1 om het alarm te accepteren. Druk op 2 als u niet kunt gaan.', accepted: 'Dank u. De medewerker hoort dat er hulp komt.',
    smsOffer: 'Druk op 3 voor een sms met de link naar het alarm.', smsSent: 'De sms is onderweg.',
    declined: 'Dank u. We bellen de volgende persoon.', goodbye: 'Tot ziens.',
  },
  de: {
    intro: 'Dies ist ein Vigil-Alarm.', types: { sos: 'S O S', fall: 'Sturz', man_down: 'Person am Boden', no_motion: 'Keine Bewegung', session_expired: 'Sitzung nicht beendet', check_in_missed: 'Rückmeldung verpasst', duress: 'Stiller Alarm' },
    otherType: 'Alarm', worker: 'Mitarbeiter', site: 'Standort', duress: 'Stiller Alarm: Rufen Sie die Person nicht an, sie ist möglicherweise bedroht.', number: 'Alarmnummer',
    menu: 'Drücken Sie die 1, um den Alarm anzunehmen. Drücken Sie die 2, wenn Sie nicht kommen können.', accepted: 'Danke. Die Person erfährt, dass Hilfe kommt.',
    smsOffer: 'Drücken Sie die 3 für eine SMS mit dem Link zum Alarm.', smsSent: 'Die SMS ist unterwegs.',
    declined: 'Danke. Wir rufen die nächste Person an.', goodbye: 'Auf Wiederhören.',
  },
  es: {
    intro: 'Esta es una alarma de Vigil.', types: { sos: 'S O S', fall: 'Caída', man_down: 'Hombre caído', no_motion: 'Sin movimiento', session_expired: 'Sesión no terminada', check_in_missed: 'Confirmación no recibida', duress: 'Alarma silenciosa' },
    otherType: 'Alarma', worker: 'Trabajador', site: 'Lugar', duress: 'Alarma silenciosa: no llame al trabajador, puede estar amenazado.', number: 'Número de alarma',
    menu: 'Pulse 1 para aceptar la alarma. Pulse 2 si no puede acudir.', accepted: 'Gracias. Avisamos al trabajador de que llega ayuda.',
    smsOffer: 'Pulse 3 para recibir un SMS con el enlace de la alarma.', smsSent: 'El SMS está en camino.',
    declined: 'Gracias. Llamamos a la siguiente persona.', goodbye: 'Adiós.',
  },
  sv: {
    intro: 'Det här är ett Vigil-larm.', types: { sos: 'S O S', fall: 'Fall', man_down: 'Person som ligger ner', no_motion: 'Ingen rörelse', session_expired: 'Passet inte avslutat', check_in_missed: 'Missad incheckning', duress: 'Tyst larm' },
    otherType: 'Larm', worker: 'Medarbetare', site: 'Plats', duress: 'Tyst larm: ring inte medarbetaren, personen kan vara hotad.', number: 'Larmnummer',
    menu: 'Tryck 1 för att ta larmet. Tryck 2 om du inte kan åka.', accepted: 'Tack. Medarbetaren får veta att hjälp är på väg.',
    smsOffer: 'Tryck 3 för att få ett sms med länken till larmet.', smsSent: 'Sms:et är på väg.',
    declined: 'Tack. Vi ringer nästa person.', goodbye: 'Hej då.',
  },
  nb: {
    intro: 'Dette er en Vigil-alarm.', types: { sos: 'S O S', fall: 'Fall', man_down: 'Person som ligger nede', no_motion: 'Ingen bevegelse', session_expired: 'Økten ikke avsluttet', check_in_missed: 'Glemt innsjekking', duress: 'Stille alarm' },
    otherType: 'Alarm', worker: 'Medarbeider', site: 'Sted', duress: 'Stille alarm: ikke ring medarbeideren, vedkommende kan være truet.', number: 'Alarmnummer',
    menu: 'Trykk 1 for å ta alarmen. Trykk 2 hvis du ikke kan rykke ut.', accepted: 'Takk. Medarbeideren får beskjed om at hjelp er på vei.',
    smsOffer: 'Trykk 3 for å få en SMS med lenken til alarmen.', smsSent: 'SMS-en er på vei.',
    declined: 'Takk. Vi ringer neste person.', goodbye: 'Ha det.',
  },
};

/** `fr-BE`, `FR`, `no` → a language we speak; English when we do not speak it. */
export function voiceLanguage(tag: string | null | undefined, fallback: VoiceLanguage = 'en'): VoiceLanguage {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  if (base === 'no' || base === 'nn') return 'nb';
  return (VOICE_LANGUAGES as readonly string[]).includes(base) ? (base as VoiceLanguage) : fallback;
}

export function voiceTexts(lang: VoiceLanguage): VoiceTexts {
  return T[lang];
}

/** A piece of a prompt: spoken text, the digits of a number one by one, or a pause. */
export type Segment = { say: string } | { digits: string } | { pauseMs: number };

export interface CallFacts {
  alarmType: string;
  alarmNumber: string;
  workerName: string | null;
  siteName: string | null;
}

/** The prompt a callee hears when they pick up, before they press a key. */
export function introScript(lang: VoiceLanguage, f: CallFacts): Segment[] {
  const t = T[lang];
  const clean = (s: string): string => s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
  const facts = [t.intro, `${t.types[f.alarmType] ?? t.otherType}.`];
  if (f.alarmType === 'duress') facts.push(t.duress);
  if (f.workerName) facts.push(`${t.worker}: ${clean(f.workerName)}.`);
  if (f.siteName) facts.push(`${t.site}: ${clean(f.siteName)}.`);
  return [
    { say: facts.join(' ') }, { pauseMs: 300 },
    { say: t.number }, { pauseMs: 200 }, { digits: f.alarmNumber.replace(/\D/g, '') }, { pauseMs: 500 },
    { say: t.menu },
  ];
}

/** Fixed texts, rendered ahead of the first call (audio.ts caches them). */
export function fixedTexts(lang: VoiceLanguage): string[] {
  const t = T[lang];
  return [t.number, t.menu, t.accepted, t.smsOffer, t.smsSent, t.declined, t.goodbye, ...'0123456789'];
}
