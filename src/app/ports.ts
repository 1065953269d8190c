import type {
  ChannelName,
  GroupBinding,
  Household,
  Identity,
  Language,
  Member,
  ServiceRequest,
  Town,
  Village,
} from "../domain/model.js";
import type { Conversation } from "./conversation.js";
import type { OutgoingMessage } from "./messages.js";

export interface Clock {
  now(): Date;
}

/** Where one outgoing message goes: a private chat or a group chat on one channel. */
export interface DeliveryTarget {
  channel: ChannelName;
  /** The channel's chat id: a Telegram chat id, a Slack channel, or a local conversation id. */
  chatId: string;
  language: Language;
  /** Set when the chat is a member's private chat. */
  memberId?: string;
  /** Set when the chat is a village's group chat. */
  villageId?: string;
}

export interface OutboxEntry {
  id: string;
  target: DeliveryTarget;
  message: OutgoingMessage;
  createdAt: string;
  attempts: number;
  /** Not to be tried before this instant (a retry's back-off or a 429's retry_after). */
  notBefore: string;
  lastError?: string;
}

/**
 * One unit of work: reads see the unit's own writes; writes are staged and committed together when the
 * unit's function returns, or dropped when it throws.
 */
export interface Transaction {
  nextId(kind: "town" | "village" | "member" | "household"): Promise<string>;

  getTown(id: string): Promise<Town | undefined>;
  listTowns(): Promise<Town[]>;
  putTown(town: Town): void;

  getVillage(id: string): Promise<Village | undefined>;
  listVillages(): Promise<Village[]>;
  putVillage(village: Village): void;

  getMember(id: string): Promise<Member | undefined>;
  findMemberByIdentity(identity: Identity): Promise<Member | undefined>;
  listMembers(villageId: string): Promise<Member[]>;
  putMember(member: Member): void;

  getHousehold(id: string): Promise<Household | undefined>;
  listHouseholds(villageId: string): Promise<Household[]>;
  putHousehold(household: Household): void;
  deleteHousehold(id: string): void;

  getBinding(channel: ChannelName, chatId: string): Promise<GroupBinding | undefined>;
  listBindings(villageId: string): Promise<GroupBinding[]>;
  putBinding(binding: GroupBinding): void;
  deleteBinding(channel: ChannelName, chatId: string): void;

  getRequest(id: string): Promise<ServiceRequest | undefined>;
  /** Requests still being worked on or waiting for a rating (submitted, accepted, in progress, resolved). */
  listActiveRequests(villageId: string): Promise<ServiceRequest[]>;
  listRequestsOf(villageId: string, requesterId: string): Promise<ServiceRequest[]>;
  /** The next free sequence number of a village's requests in a year, starting at 1. */
  nextRequestSeq(villageId: string, year: number): Promise<number>;
  putRequest(request: ServiceRequest): void;

  getConversation(key: string): Promise<Conversation | undefined>;
  putConversation(conversation: Conversation): void;
  deleteConversation(key: string): void;

  /** Inbound event ids already handled (bounded memory of recent ones). */
  hasProcessed(eventKey: string): Promise<boolean>;
  markProcessed(eventKey: string): void;

  enqueue(target: DeliveryTarget, message: OutgoingMessage): void;
}

export interface Store {
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The dispatcher's view of the persisted outgoing messages. */
export interface Outbox {
  due(now: Date, limit: number): Promise<OutboxEntry[]>;
  markSent(id: string): Promise<void>;
  /** Schedules another try at `retryAt`, or gives the entry up when `retryAt` is undefined. */
  markFailed(id: string, error: string, retryAt: Date | undefined): Promise<void>;
}
