namespace BlockStore;

/// <summary>The message store: conversation and user timelines, read checkpoints, inboxes and capacity figures.</summary>
/// <remarks>All members are thread-safe. Every id must be non-empty, at most 256 UTF-8 bytes and free of control characters.</remarks>
public interface IMessageStore : IAsyncDisposable
{
    /// <summary>Adds one message to a conversation and to each recipient's timeline; completes once it is durable.</summary>
    /// <param name="convId">The conversation id.</param>
    /// <param name="senderId">The sender's id.</param>
    /// <param name="data">The message body, at most <see cref="BlockStoreOptions.MaxMessageBytes"/> bytes.</param>
    /// <param name="userIds">The recipients; duplicates are collapsed.</param>
    /// <param name="cancellationToken">Cancels waiting; a message already handed to the writer may still be stored.</param>
    /// <returns>The stored message with its SeqId and CreatedAt.</returns>
    /// <exception cref="ArgumentException">An id or a recipient is invalid, <paramref name="data"/> is over <see cref="BlockStoreOptions.MaxMessageBytes"/>, or there are more than <see cref="BlockStoreOptions.MaxRecipients"/> recipients; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default);

    /// <summary>Adds one message unless this conversation already holds one added with <paramref name="idempotencyKey"/>; completes once it is durable.</summary>
    /// <remarks>
    /// A key is scoped to its conversation and remembered for <see cref="BlockStoreOptions.IdempotencyWindow"/> (while it is among the
    /// newest <see cref="BlockStoreOptions.IdempotencyMaxKeys"/> keys), also across a restart or crash. A repeated key returns the message
    /// stored first (same SeqId, CreatedAt and body) and writes nothing; recipients are not compared. A repeated key with another sender
    /// or body is refused with an <see cref="ArgumentException"/> naming <paramref name="idempotencyKey"/>.
    /// </remarks>
    /// <param name="convId">The conversation id.</param>
    /// <param name="senderId">The sender's id.</param>
    /// <param name="data">The message body, at most <see cref="BlockStoreOptions.MaxMessageBytes"/> bytes.</param>
    /// <param name="userIds">The recipients; duplicates are collapsed.</param>
    /// <param name="idempotencyKey">The caller's key for this message (checked like an id), or null for none.</param>
    /// <param name="cancellationToken">Cancels waiting; a message already handed to the writer may still be stored (retry with the same key).</param>
    /// <returns>The stored message with its SeqId and CreatedAt, or the one first stored with this key.</returns>
    /// <exception cref="ArgumentException">An id or a recipient or the idempotency key is invalid, the key was used for another sender or body, <paramref name="data"/> is over <see cref="BlockStoreOptions.MaxMessageBytes"/>, or there are more than <see cref="BlockStoreOptions.MaxRecipients"/> recipients; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<Message> AddMessageAsync(string convId, uint senderId, ReadOnlyMemory<byte> data, IReadOnlyCollection<string> userIds, string? idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Adds a batch of messages in one group commit; one invalid message refuses the whole batch.</summary>
    /// <remarks>
    /// A message with an <see cref="NewMessage.IdempotencyKey"/> already used in its conversation (earlier, or earlier in the same batch)
    /// is not stored again: its place in the result holds the message stored first.
    /// </remarks>
    /// <param name="batch">The messages, stored in this order with increasing SeqIds.</param>
    /// <param name="cancellationToken">Cancels waiting; a batch already handed to the writer may still be stored.</param>
    /// <returns>The stored messages, in the order given.</returns>
    /// <exception cref="ArgumentException">A message of the batch is invalid (the message names its index), or the batch is too large for one journal record; nothing of the batch is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<IReadOnlyList<Message>> AddMessagesAsync(IReadOnlyList<NewMessage> batch, CancellationToken cancellationToken = default);

    /// <summary>Replaces a message's body by appending an edit event (a new SeqId) to the conversation and to the message's recipients' timelines; completes once it is durable.</summary>
    /// <remarks>History reads then return the message with the new body and <see cref="Message.EditedAt"/>; sync reads and watches also return the event.</remarks>
    /// <param name="convId">The conversation holding the message.</param>
    /// <param name="seqId">The SeqId of the message to edit: a message (not an event) of <paramref name="convId"/> that is not deleted.</param>
    /// <param name="data">The new body: not empty, at most <see cref="BlockStoreOptions.MaxMessageBytes"/> bytes.</param>
    /// <param name="cancellationToken">Cancels waiting; an edit already handed to the writer may still be stored.</param>
    /// <returns>The edit event (<see cref="MessageKind.Edit"/>, <see cref="Message.TargetSeqId"/> <paramref name="seqId"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is invalid, <paramref name="seqId"/> is not a live message of the conversation, or <paramref name="data"/> is empty or too large; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<Message> EditMessageAsync(string convId, long seqId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Deletes a message by appending a delete event (a new SeqId) to the conversation and to the message's recipients' timelines; completes once it is durable.</summary>
    /// <remarks>
    /// From then on no read returns the body: history reads return a tombstone (<see cref="Message.IsDeleted"/>, empty data). The
    /// bytes leave the data set's files at the next compaction. Deleting a deleted message writes nothing and returns its delete event.
    /// </remarks>
    /// <param name="convId">The conversation holding the message.</param>
    /// <param name="seqId">The SeqId of the message to delete: a message (not an event) of <paramref name="convId"/>.</param>
    /// <param name="cancellationToken">Cancels waiting; a delete already handed to the writer may still be stored.</param>
    /// <returns>The delete event (<see cref="MessageKind.Delete"/>, <see cref="Message.TargetSeqId"/> <paramref name="seqId"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is invalid or <paramref name="seqId"/> is not a message of the conversation; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<Message> DeleteMessageAsync(string convId, long seqId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every message a conversation holds so far and every reference to them in user timelines; completes once durable.</summary>
    /// <remarks>
    /// From then on no read returns those messages (they vanish; no tombstones); their bytes leave the data set's files at the next
    /// compaction. Messages added to the same conversation id afterwards form its history anew. SeqIds are never reused. Deleting
    /// an unknown or already deleted conversation is harmless.
    /// </remarks>
    /// <param name="convId">The conversation id.</param>
    /// <param name="cancellationToken">Cancels waiting; a delete already handed to the writer may still be stored.</param>
    /// <returns>A task that completes once the delete is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is invalid; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use, or storage failed.</exception>
    Task DeleteConversationAsync(string convId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a user's timeline as it stands, the user's checkpoint and inbox; completes once durable.</summary>
    /// <remarks>
    /// The messages stay in their conversations (other members still see them); the user's sync reads, checkpoint, read markers and
    /// inbox start empty, and messages sent to the user afterwards form a new timeline. Deleting an unknown user is harmless.
    /// </remarks>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels waiting; a delete already handed to the writer may still be stored.</param>
    /// <returns>A task that completes once the delete is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is invalid; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use, or storage failed.</exception>
    Task DeleteUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every message <paramref name="senderId"/> has sent so far, in every conversation; completes once durable.</summary>
    /// <remarks>
    /// Each such message reads as a tombstone (<see cref="Message.IsDeleted"/>, empty data) from then on, and edit events of them
    /// lose their bodies; the bytes leave the data set's files at the next compaction. Messages the sender sends later are kept.
    /// </remarks>
    /// <param name="senderId">The sender's numeric id.</param>
    /// <param name="cancellationToken">Cancels waiting; an erasure already handed to the writer may still be stored.</param>
    /// <returns>A task that completes once the erasure is durable.</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use, or storage failed.</exception>
    Task EraseSenderAsync(uint senderId, CancellationToken cancellationToken = default);

    /// <summary>Sets how long a conversation's messages are kept, by <see cref="Message.CreatedAt"/>; null returns it to <see cref="RetentionOptions.MaxAge"/>.</summary>
    /// <remarks>
    /// Messages older than the age vanish from every read at once (and edit and delete events with them), and from the data set's
    /// files at the next compaction, message by message. The setting is durable and survives restarts.
    /// </remarks>
    /// <param name="convId">The conversation id.</param>
    /// <param name="maxAge">The age past which messages expire (positive), or null for the data set's default.</param>
    /// <param name="cancellationToken">Cancels waiting; a setting already handed to the writer may still be stored.</param>
    /// <returns>A task that completes once the setting is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is invalid; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAge"/> is zero or negative; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use, or storage failed.</exception>
    Task SetRetentionAsync(string convId, TimeSpan? maxAge, CancellationToken cancellationToken = default);

    /// <summary>Compacts the data set now: rewrites the blocks holding deleted, expired or erased messages and gives their space back.</summary>
    /// <remarks>
    /// When it completes, no byte of a body deleted, expired or erased before the call is left in any file of the data set (on
    /// PostgreSQL: in any row). Blocks are rewritten message by message; readers see each timeline before or after its rewrite,
    /// never half of it. Writes go on meanwhile, between the steps of the compaction. A crash at any moment loses no live message.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the compaction between two of its steps; what was compacted stays compacted.</param>
    /// <returns>What the compaction did.</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="NotSupportedException">The storage provider cannot compact.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use, or storage failed.</exception>
    Task<CompactionReport> CompactAsync(CancellationToken cancellationToken = default);

    /// <summary>Returns the newest <paramref name="limit"/> messages with SeqId below <paramref name="beforeSeqId"/>, oldest first.</summary>
    /// <param name="convId">The conversation id; an unknown one gives an empty list.</param>
    /// <param name="limit">The most messages to return; must be positive.</param>
    /// <param name="beforeSeqId">The exclusive upper bound; 0 means none.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page, oldest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive, or a SeqId bound is negative.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    /// <exception cref="CorruptBlockException">A block the read needs is damaged; no damaged byte is returned as data.</exception>
    Task<IReadOnlyList<Message>> GetConvMessagesAsync(string convId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default);

    /// <summary>Returns messages with <paramref name="from"/> &lt;= CreatedAt &lt; <paramref name="to"/>, oldest first, at most <paramref name="limit"/>.</summary>
    /// <param name="convId">The conversation id; an unknown one gives an empty list.</param>
    /// <param name="from">The inclusive start of the window.</param>
    /// <param name="to">The exclusive end of the window; must not be before <paramref name="from"/>.</param>
    /// <param name="limit">The most messages to return; must be positive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The messages in the window, oldest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> is after <paramref name="to"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    /// <exception cref="CorruptBlockException">A block the read needs is damaged; no damaged byte is returned as data.</exception>
    Task<IReadOnlyList<Message>> GetConvMessagesByTimeAsync(string convId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default);

    /// <summary>Returns the user's read checkpoint: the last SeqId they have read, 0 if none.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<long> GetUserCheckpointAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Moves the user's checkpoint forward to <paramref name="seqId"/>; a lower value is ignored.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="seqId">The new checkpoint; must not exceed the newest SeqId in the user's timeline.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes once the checkpoint is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seqId"/> is negative or beyond the newest SeqId in the user's timeline; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task UpdateUserCheckpointAsync(string userId, long seqId, CancellationToken cancellationToken = default);

    /// <summary>Returns every message of the user's timeline after their checkpoint, oldest first; the checkpoint does not move.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The unread messages, oldest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    /// <exception cref="CorruptBlockException">A block the read needs is damaged; no damaged byte is returned as data.</exception>
    Task<IReadOnlyList<Message>> GetMessagesAfterCheckpointAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Returns the oldest <paramref name="limit"/> messages of the user's timeline with SeqId above <paramref name="afterSeqId"/>.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="afterSeqId">The exclusive lower bound; must not be negative.</param>
    /// <param name="limit">The most messages to return; must be positive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page, oldest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive, or a SeqId bound is negative.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    /// <exception cref="CorruptBlockException">A block the read needs is damaged; no damaged byte is returned as data.</exception>
    Task<IReadOnlyList<Message>> GetUserMessagesAsync(string userId, long afterSeqId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Yields every message of the user's timeline with SeqId above <paramref name="afterSeqId"/>: first what is stored, then each new one as its write is acknowledged.</summary>
    /// <remarks>
    /// Each message comes exactly once and in SeqId order, also across the switch from stored to live messages. The writer
    /// never waits for a watch: one whose consumer falls behind its buffer (<see cref="BlockStoreOptions.WatchBufferSize"/>)
    /// reads storage again from its last delivered SeqId and loses nothing. Arguments are checked when this method is called.
    /// </remarks>
    /// <param name="userId">The user id; the timeline need not exist yet.</param>
    /// <param name="afterSeqId">The exclusive lower bound, e.g. the user's checkpoint; must not be negative.</param>
    /// <param name="cancellationToken">Ends the watch with an <see cref="OperationCanceledException"/>.</param>
    /// <returns>An endless sequence; it ends with <see cref="ObjectDisposedException"/> when the store closes.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is invalid or <paramref name="afterSeqId"/> is negative; thrown by this call, before enumeration.</exception>
    /// <exception cref="ObjectDisposedException">During enumeration: the store has been disposed or closed while watching.</exception>
    /// <exception cref="OperationCanceledException">During enumeration: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="BlockStoreException">During enumeration: the data set could not be opened on first use, or storage failed while catching up.</exception>
    IAsyncEnumerable<Message> WatchUserAsync(string userId, long afterSeqId, CancellationToken cancellationToken = default);

    /// <summary>Yields every message of the conversation with SeqId above <paramref name="afterSeqId"/>: first what is stored, then each new one as its write is acknowledged.</summary>
    /// <remarks>Behaves as <see cref="WatchUserAsync"/> does, on the conversation's timeline.</remarks>
    /// <param name="convId">The conversation id; the timeline need not exist yet.</param>
    /// <param name="afterSeqId">The exclusive lower bound; must not be negative.</param>
    /// <param name="cancellationToken">Ends the watch with an <see cref="OperationCanceledException"/>.</param>
    /// <returns>An endless sequence; it ends with <see cref="ObjectDisposedException"/> when the store closes.</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is invalid or <paramref name="afterSeqId"/> is negative; thrown by this call, before enumeration.</exception>
    /// <exception cref="ObjectDisposedException">During enumeration: the store has been disposed or closed while watching.</exception>
    /// <exception cref="OperationCanceledException">During enumeration: <paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="BlockStoreException">During enumeration: the data set could not be opened on first use, or storage failed while catching up.</exception>
    IAsyncEnumerable<Message> WatchConvAsync(string convId, long afterSeqId, CancellationToken cancellationToken = default);

    /// <summary>Returns the conversation's timeline, creating an empty one if it does not exist.</summary>
    /// <param name="convId">The conversation id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The timeline's current figures.</returns>
    /// <exception cref="ArgumentException"><paramref name="convId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<TimelineInfo> GetOrCreateConvTimelineAsync(string convId, CancellationToken cancellationToken = default);

    /// <summary>Returns the user's timeline, creating an empty one if it does not exist.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The timeline's current figures.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<TimelineInfo> GetOrCreateUserTimelineAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Returns the user's conversations, newest activity first: each with its last message, the user's read marker and unread count.</summary>
    /// <remarks>
    /// A conversation is in the inbox once the user's timeline holds one of its messages. Unread counts are exact: the
    /// conversation's messages in the user's timeline above the read marker; a deleted or expired message no longer counts, and edit and
    /// delete events are not activity: they neither count nor move the conversation. A conversation whose messages in the
    /// user's timeline have all expired (retention) is left out, as a deleted conversation is. The last message is shown in its current
    /// state: an edited one with its new body and <see cref="Message.EditedAt"/>; a deleted one as its tombstone
    /// (<see cref="Message.IsDeleted"/>, empty <see cref="Message.Data"/>), so the conversation keeps its place and the app can
    /// show that the message was deleted. A message whose sender id, written in decimal
    /// (<c>42</c>), equals the user id is the user's own and counts as read; it still moves the conversation to the top.
    /// Page on by passing the last entry's <see cref="Message.SeqId"/> as <paramref name="beforeSeqId"/>; a conversation with
    /// new activity meanwhile moves to the first page.
    /// </remarks>
    /// <param name="userId">The user id; an unknown one gives an empty list.</param>
    /// <param name="limit">The most conversations to return; must be positive.</param>
    /// <param name="beforeSeqId">The cursor: only conversations whose last activity is below it; 0 means none.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page, newest activity first.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive, or <paramref name="beforeSeqId"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    /// <exception cref="CorruptBlockException">A block the read needs is damaged; no damaged byte is returned as data.</exception>
    Task<IReadOnlyList<InboxEntry>> GetInboxAsync(string userId, int limit, long beforeSeqId = 0, CancellationToken cancellationToken = default);

    /// <summary>Returns the user's read marker in one conversation: the last SeqId they have read there, 0 if none.</summary>
    /// <remarks>Read markers are independent of each other and of the user's checkpoint (<see cref="GetUserCheckpointAsync"/>).</remarks>
    /// <param name="userId">The user id.</param>
    /// <param name="convId">The conversation id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The read marker.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> or <paramref name="convId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<long> GetReadMarkerAsync(string userId, string convId, CancellationToken cancellationToken = default);

    /// <summary>Moves the user's read marker in one conversation forward to <paramref name="seqId"/>; a lower value is ignored.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="convId">The conversation id.</param>
    /// <param name="seqId">The new read marker; must not exceed the conversation's newest SeqId.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes once the marker is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> or <paramref name="convId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seqId"/> is negative or beyond the conversation's newest SeqId; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task UpdateReadMarkerAsync(string userId, string convId, long seqId, CancellationToken cancellationToken = default);

    /// <summary>Returns how many of the conversation's messages in the user's timeline are above their read marker there, the user's own, deleted and expired messages not counted.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="convId">The conversation id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The exact unread count.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> or <paramref name="convId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<long> GetUnreadCountAsync(string userId, string convId, CancellationToken cancellationToken = default);

    /// <summary>Returns the user's unread count over all their conversations.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The exact total.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<long> GetUnreadTotalAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Streams the id of every timeline of <paramref name="kind"/> once, in no particular order (for tools such as a full export).</summary>
    /// <remarks>Every timeline that exists when the call is made is listed; one created while the listing runs may be listed or not.</remarks>
    /// <param name="kind">Conversation or user timelines.</param>
    /// <param name="cancellationToken">Ends the listing.</param>
    /// <returns>The timeline ids.</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    IAsyncEnumerable<string> ListTimelinesAsync(TimelineKind kind, CancellationToken cancellationToken = default);

    /// <summary>Returns capacity and content figures: stores, capacity, used bytes, blocks, messages, timelines.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The figures.</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Walks every block of every store and the journal, checking checksums and that the StoreIndex, timeline metadata and journal agree.</summary>
    /// <remarks>Reads every sealed block from storage (not the cache); writes wait while the journal is checked.</remarks>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>What was checked and every problem found.</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use (<see cref="StoreLockedException"/> when another owner holds it), or storage failed.</exception>
    Task<VerificationReport> VerifyAsync(CancellationToken cancellationToken = default);

    /// <summary>Copies the data set into <paramref name="destination"/> while the store stays open; the copy opens as a data set when <see cref="BlockStoreOptions.DataDir"/> points at it.</summary>
    /// <remarks>
    /// The copy is consistent: it holds every write acknowledged before this call and no half of any write. It is taken between two
    /// turns of the writer, so writes wait while it is made. SQLite copies the database with <c>VACUUM INTO</c>; the File provider
    /// copies its files; PostgreSQL refuses (back up the database with PostgreSQL's own tools, such as <c>pg_dump</c>).
    /// </remarks>
    /// <param name="destination">A directory that does not exist yet or is empty, outside the data set.</param>
    /// <param name="cancellationToken">Cancels waiting; a copy already started may be left behind, incomplete.</param>
    /// <returns>A task that completes once the copy is durable.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is empty, not an empty directory, or inside the data set; nothing is written.</exception>
    /// <exception cref="NotSupportedException">The provider cannot copy its data sets (PostgreSQL).</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">The data set could not be opened on first use, or the copy failed.</exception>
    Task BackupAsync(string destination, CancellationToken cancellationToken = default);

    /// <summary>Waits until every write handed to the store before this call is durable.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when those writes are durable.</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="BlockStoreException">Storage failed.</exception>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
