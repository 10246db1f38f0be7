// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {TransferItem, Signature} from "./BridgeTypes.sol";
import {IBridgeGateway} from "./IBridgeGateway.sol";
import {TransferHashing} from "./TransferHashing.sol";
import {ValidatorSetStore} from "./ValidatorSetStore.sol";
import {DailyLimit} from "./DailyLimit.sol";

/// @title BridgeGateway
/// @notice The core every BTT Bridge gateway shares. Variants decide only how value leaves the sender and
/// reaches the recipient (`_onReceive`, `_payoutAvailable`, `_acceptsInbound`); everything that keeps the
/// bridge safe — signatures, replay protection, limits, pause, fees — lives here, once.
/// @dev Roles: DEFAULT_ADMIN_ROLE is meant to be held by an OpenZeppelin TimelockController, so every
/// admin action waits out its delay; GUARDIAN_ROLE acts at once but can only make the bridge safer
/// (pause, lower the daily limit). Neither can touch the validator set, which only a threshold of the
/// current validators can replace.
/// The core holds no reentrancy guard: a variant that calls out guards its own entry points with the
/// guard its chain can run (BTTC runs Berlin rules, so no transient storage there; docs/protocol.md, "Chains").
abstract contract BridgeGateway is IBridgeGateway, AccessControl {
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Largest validator set; bounds the gas of a delivery.
    uint256 internal constant MAX_VALIDATORS = 64;

    /// @dev Everything a delivery reads and writes of the gateway's own state, in one slot.
    struct InboundState {
        uint16 epoch; // current validator set (see ValidatorSetStore.location)
        uint8 threshold;
        bool paused; // same value as OutboundState.paused; both are written together
        uint88 available; // DailyLimit: allowance left at `updatedAt`, in DailyLimit units
        uint88 capacity; // DailyLimit: the cap, in DailyLimit units
        uint48 updatedAt; // DailyLimit: a block timestamp; 48 bits do not wrap for millions of years
    }

    /// @dev Everything an outbound transfer reads and writes of the gateway's core state, in one slot.
    struct OutboundState {
        uint64 sequence; // last sequence number used
        bool paused;
    }

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    InboundState private _inbound;
    OutboundState private _outbound;
    mapping(uint64 dstChainId => Route) private _routes;
    /// @dev Replay records: one bit per transfer, 256 consecutive source references per slot, so that
    /// sequential deliveries from one source gateway mostly update a slot that is already non-zero.
    mapping(bytes32 wordKey => uint256 bits) private _deliveredBits;

    bytes32 private immutable _cachedAttestationDomain;
    uint256 private immutable _cachedAttestationChainId;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (a timelock in production; the deployer may hold it
    ///        while wiring a new gateway, then hand it over).
    /// @param guardian Holder of GUARDIAN_ROLE.
    /// @param initialValidators The first validator set, ascending.
    /// @param initialThreshold Signatures needed; more than half the set.
    /// @param dailyLimit_ Rolling 24-hour cap on what this gateway pays out, in BTT wei
    ///        (`type(uint256).max` for none).
    constructor(
        address admin,
        address guardian,
        address[] memory initialValidators,
        uint8 initialThreshold,
        uint256 dailyLimit_
    ) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        _cachedAttestationChainId = block.chainid;
        _cachedAttestationDomain = _buildAttestationDomainSeparator();
        _setValidators(initialValidators, initialThreshold, 0);
        uint88 capacity = DailyLimit.toCapacity(dailyLimit_);
        InboundState storage s = _inbound;
        (s.available, s.capacity, s.updatedAt) = (capacity, capacity, uint48(block.timestamp));
        emit DailyLimitChanged(DailyLimit.fromCapacity(capacity));
    }

    // =====================================================================================================
    // Inbound
    // =====================================================================================================

    /// @inheritdoc IBridgeGateway
    function deliver(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem calldata item,
        Signature[] calldata signatures
    ) public virtual {
        _deliver(srcChainId, srcGateway, _one(item), signatures, true);
    }

    /// @inheritdoc IBridgeGateway
    function deliverBatch(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem[] calldata items,
        Signature[] calldata signatures
    ) public virtual returns (uint256 delivered) {
        if (items.length == 0) revert EmptyBatch();
        return _deliver(srcChainId, srcGateway, items, signatures, false);
    }

    /// @dev A single transfer as a batch of one (the same calldata layout: one item).
    function _one(TransferItem calldata item) private pure returns (TransferItem[] calldata items) {
        assembly ("memory-safe") {
            items.offset := item
            items.length := 1
        }
    }

    /// @dev Verifies the batch's signatures, then delivers each transfer that can be delivered now. With
    /// `strict`, a transfer that cannot be reverts the call; otherwise it is skipped with an event.
    /// The replay records and the daily limit are written back at the end, so a variant whose payout
    /// calls out to the recipient must guard deliveries against reentrancy (BttcGateway does).
    function _deliver(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem[] calldata items,
        Signature[] calldata signatures,
        bool strict
    ) private returns (uint256 delivered) {
        InboundState memory s = _inbound;
        if (s.paused) revert GatewayPaused();
        (bytes32 batchHash, bytes32[] memory ids) = TransferHashing.batchHash(srcChainId, srcGateway, items);
        _verify(_typedDataHash(batchHash), signatures, s.epoch, s.threshold);

        uint256 available = DailyLimit.current(s.available, s.capacity, s.updatedAt); // in units
        ReplayWord memory word = ReplayWord(false, false, 0, bytes32(0), 0);
        for (uint256 i = 0; i < items.length; ++i) {
            TransferItem calldata item = items[i];
            uint256 amount = item.amount;
            address recipient = item.recipient;
            uint8 kind = item.kind;
            if (recipient == address(0)) revert ZeroRecipient();
            if (amount == 0) revert ZeroAmount();
            if (!_acceptsInbound(kind)) revert UnsupportedKind(kind);

            uint256 bit = _load(word, srcChainId, srcGateway, uint256(item.srcRef));
            uint256 units = DailyLimit.unitsOf(amount);
            SkipReason reason;
            uint256 payable_;
            if (word.bits & bit != 0) {
                reason = SkipReason.AlreadyDelivered;
            } else if (units > available) {
                reason = SkipReason.DailyLimitExceeded;
            } else if (amount > (payable_ = _payoutAvailable(kind))) {
                reason = SkipReason.ReserveInsufficient;
            } else {
                // Effects before the interaction in `_onReceive` (which may call the recipient).
                word.bits |= bit;
                word.dirty = true;
                unchecked {
                    available -= units; // units <= available, checked above
                    ids[delivered++] = ids[i]; // delivered <= i: compacts the list in place
                }
                _onReceive(kind, recipient, amount);
                continue;
            }
            if (strict) {
                if (reason == SkipReason.AlreadyDelivered) revert AlreadyDelivered(ids[i]);
                if (reason == SkipReason.DailyLimitExceeded) {
                    revert DailyLimitExceeded(amount, DailyLimit.toWei(available));
                }
                _revertPayoutUnavailable(kind, amount, payable_);
            }
            emit TransferSkipped(ids[i], reason);
        }
        _flush(word);
        if (delivered == 0) return 0;
        if (s.capacity != DailyLimit.UNLIMITED) {
            // One slot write; `available` <= capacity < 2^88. (Assigning the whole struct back would
            // write it field by field.)
            (_inbound.available, _inbound.updatedAt) = (uint88(available), uint48(block.timestamp));
        }
        assembly ("memory-safe") {
            mstore(ids, delivered) // list only what was delivered
        }
        emit TransfersDelivered(ids);
    }

    // =====================================================================================================
    // Replay records
    // =====================================================================================================

    /// @dev One slot of replay records, held in memory while a batch works through it: consecutive
    /// transfers from one source gateway share a slot, which is then read and written once.
    struct ReplayWord {
        bool loaded;
        bool dirty;
        uint256 index; // srcRef >> 8
        bytes32 key;
        uint256 bits;
    }

    /// @dev Points `word` at the slot holding the record of (srcChainId, srcGateway, srcRef) (a batch has
    /// one source, so only the index can change), writing back the slot it held before if that one
    /// changed; returns the record's bit within the slot.
    function _load(ReplayWord memory word, uint64 srcChainId, bytes32 srcGateway, uint256 srcRef)
        private
        returns (uint256 bit)
    {
        uint256 index = srcRef >> 8;
        if (!word.loaded || index != word.index) {
            _flush(word);
            bytes32 key = _replayKey(srcChainId, srcGateway, index);
            word.loaded = true;
            word.index = index;
            word.key = key;
            word.bits = _deliveredBits[key];
        }
        return 1 << (srcRef & 0xff);
    }

    function _flush(ReplayWord memory word) private {
        if (word.dirty) {
            _deliveredBits[word.key] = word.bits;
            word.dirty = false;
        }
    }

    /// @dev (srcChainId, srcGateway, srcRef >> 8) names the slot and the low byte of srcRef the bit, which
    /// maps each transfer to exactly one bit, whatever srcRef is (a sequence number or a TRON tx id).
    function _replayKey(uint64 srcChainId, bytes32 srcGateway, uint256 index) private pure returns (bytes32) {
        return keccak256(abi.encode(srcChainId, srcGateway, index));
    }

    /// @notice Whether the transfer with this source identity has been delivered here.
    function isDelivered(uint64 srcChainId, bytes32 srcGateway, bytes32 srcRef) external view returns (bool) {
        uint256 ref = uint256(srcRef);
        return _deliveredBits[_replayKey(srcChainId, srcGateway, ref >> 8)] & (1 << (ref & 0xff)) != 0;
    }

    // =====================================================================================================
    // Validators
    // =====================================================================================================

    /// @inheritdoc IBridgeGateway
    function updateValidatorSet(
        address[] calldata newValidators,
        uint8 newThreshold,
        uint64 deadline,
        Signature[] calldata signatures
    ) external {
        // A deadline, so that an update signed but not submitted (or a competing proposal) cannot be
        // brought in long after the validators moved on.
        if (block.timestamp > deadline) revert ValidatorSetUpdateExpired(deadline);
        InboundState memory s = _inbound;
        uint64 epoch = uint64(s.epoch) + 1;
        bytes32 structHash = keccak256(
            abi.encode(
                TransferHashing.VALIDATOR_SET_UPDATE_TYPEHASH,
                epoch,
                keccak256(abi.encodePacked(newValidators)),
                newThreshold,
                deadline
            )
        );
        _verify(_typedDataHash(structHash), signatures, s.epoch, s.threshold);
        _setValidators(newValidators, newThreshold, epoch);
    }

    /// @dev Signatures must come from distinct members of the current set, in ascending signer order, so
    /// that one merge-like pass over the (ascending) set checks membership and uniqueness together.
    function _verify(bytes32 digest, Signature[] calldata signatures, uint256 epoch, uint256 required)
        private
        view
    {
        if (signatures.length < required) revert InsufficientSignatures(signatures.length, required);
        bytes memory set = ValidatorSetStore.read(epoch);
        uint256 setSize = set.length / 20;
        uint256 j = 0;
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(
                digest,
                signatures[i].r,
                signatures[i].vs
            );
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (signer <= previous) revert SignersNotAscending(i, signer);
            while (j < setSize && ValidatorSetStore.at(set, j) < signer) ++j;
            if (j == setSize || ValidatorSetStore.at(set, j) != signer) revert NotAValidator(signer);
            ++j;
            previous = signer;
        }
    }

    function _setValidators(address[] memory newValidators, uint8 newThreshold, uint64 epoch) private {
        uint256 size = newValidators.length;
        if (size == 0 || size > MAX_VALIDATORS || uint256(newThreshold) * 2 <= size || newThreshold > size) {
            revert InvalidValidatorSet(size, newThreshold);
        }
        // The last uint16 epoch is never used, so that the store's CREATE nonce stays within two bytes.
        if (epoch >= type(uint16).max) revert ValidatorEpochsExhausted();
        address previous = address(0);
        for (uint256 i = 0; i < size; ++i) {
            if (newValidators[i] <= previous) revert ValidatorsNotAscending(i);
            previous = newValidators[i];
        }
        ValidatorSetStore.write(newValidators, epoch);
        InboundState storage s = _inbound;
        (s.epoch, s.threshold) = (uint16(epoch), newThreshold);
        emit ValidatorSetUpdated(epoch, newValidators, newThreshold);
    }

    // =====================================================================================================
    // EIP-712 domain of attestations
    // =====================================================================================================

    /// @notice The EIP-712 domain separator validators sign under: "BTT Bridge", version 1, this chain,
    /// this gateway. (Kept apart from any domain a variant has for its own purposes, such as a token's
    /// EIP-2612 permits.)
    function attestationDomainSeparator() public view returns (bytes32) {
        return block.chainid == _cachedAttestationChainId ? _cachedAttestationDomain : _buildAttestationDomainSeparator();
    }

    function _buildAttestationDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("BTT Bridge"), keccak256("1"), block.chainid, address(this))
        );
    }

    /// @dev keccak256("\x19\x01" ‖ domain ‖ structHash) (EIP-712), written out rather than taken from
    /// OpenZeppelin's MessageHashUtils, whose imports use MCOPY and so do not compile for Berlin (BTTC).
    function _typedDataHash(bytes32 structHash) private view returns (bytes32 digest) {
        bytes32 domain = attestationDomainSeparator();
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), domain)
            mstore(add(ptr, 0x22), structHash)
            digest := keccak256(ptr, 0x42)
        }
    }

    // =====================================================================================================
    // Outbound (for variants)
    // =====================================================================================================

    /// @dev Validates a bridge transfer of `amount` (before the fee) and returns the fee it pays.
    /// (Hot path: each check that the common case passes is ordered to cost as little as possible; a route
    /// to this chain itself can never be enabled, see `configureRoute`.)
    function _checkBridgeOut(uint64 dstChainId, address recipient, uint256 amount) internal view returns (uint256) {
        if (recipient == address(0)) revert ZeroRecipient();
        Route storage r = _routes[dstChainId]; // one slot: the optimizer reads it once
        (bool enabled, uint256 fee, uint256 minAmount) = (r.enabled, r.fee, r.minAmount);
        if (!enabled) {
            if (dstChainId == block.chainid) revert DestinationIsThisChain(dstChainId);
            revert UnsupportedDestination(dstChainId);
        }
        if (amount <= fee) {
            if (amount == 0) revert ZeroAmount();
            revert AmountNotAboveFee(amount, fee);
        }
        if (amount < minAmount) revert AmountBelowMinimum(amount, minAmount);
        return fee;
    }

    /// @dev Takes the next sequence number; reverts while paused.
    function _nextSequence() internal returns (uint64 next) {
        OutboundState storage s = _outbound;
        if (s.paused) revert GatewayPaused();
        next = s.sequence + 1;
        s.sequence = next;
    }

    // =====================================================================================================
    // Hooks
    // =====================================================================================================

    /// @dev Whether this gateway delivers transfers of `kind`.
    function _acceptsInbound(uint8 kind) internal view virtual returns (bool);

    /// @dev The most this gateway can pay now for a transfer of `kind` (before the daily limit).
    function _payoutAvailable(uint8 kind) internal view virtual returns (uint256);

    /// @dev Reverts with the error that names why `_payoutAvailable(kind)` does not cover `amount`.
    function _revertPayoutUnavailable(uint8 kind, uint256 amount, uint256 available) internal pure virtual;

    /// @dev Pays the recipient of a transfer that has just been recorded as delivered.
    function _onReceive(uint8 kind, address recipient, uint256 amount) internal virtual;

    /// @dev Sends `amount` of the fees this gateway holds to `to`.
    function _withdrawFees(address to, uint256 amount) internal virtual;

    // =====================================================================================================
    // Safety controls
    // =====================================================================================================

    /// @notice Stops deliveries and outbound transfers at once. Guardian.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        if (_outbound.paused) revert GatewayPaused();
        _setPaused(true);
        emit Paused(msg.sender);
    }

    /// @notice Resumes the gateway. Admin (behind the timelock).
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_outbound.paused) revert GatewayNotPaused();
        _setPaused(false);
        emit Unpaused(msg.sender);
    }

    function _setPaused(bool value) private {
        _inbound.paused = value;
        _outbound.paused = value;
    }

    /// @notice Lowers the daily limit at once. Guardian.
    function lowerDailyLimit(uint256 cap) external onlyRole(GUARDIAN_ROLE) {
        uint256 currentCap = DailyLimit.fromCapacity(_inbound.capacity);
        if (cap >= currentCap) revert CapNotLowered(cap, currentCap);
        _setDailyLimit(cap);
    }

    /// @notice Sets the daily limit to any value; `type(uint256).max` switches it off. Admin.
    function setDailyLimit(uint256 cap) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDailyLimit(cap);
    }

    /// @dev The allowance is carried over to the new cap, but never above it; raising the cap therefore
    /// takes effect as the allowance refills, not at once.
    function _setDailyLimit(uint256 cap) private {
        InboundState memory s = _inbound;
        uint256 available = DailyLimit.current(s.available, s.capacity, s.updatedAt);
        uint88 capacity = DailyLimit.toCapacity(cap);
        s.capacity = capacity;
        s.available = available < capacity ? uint88(available) : capacity;
        s.updatedAt = uint48(block.timestamp);
        _inbound = s;
        emit DailyLimitChanged(DailyLimit.fromCapacity(capacity));
    }

    /// @notice Opens, closes or re-prices a destination chain. Admin.
    function configureRoute(uint64 dstChainId, bool enabled, uint256 fee, uint256 minAmount)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (dstChainId == block.chainid) revert DestinationIsThisChain(dstChainId);
        if (fee > type(uint104).max) revert AmountTooLarge(fee);
        if (minAmount > type(uint104).max) revert AmountTooLarge(minAmount);
        _routes[dstChainId] = Route(enabled, uint104(fee), uint104(minAmount));
        emit RouteConfigured(dstChainId, enabled, fee, minAmount);
    }

    /// @notice Pays out fees held by this gateway. Admin. (A variant whose `_withdrawFees` calls out
    /// guards it against reentrancy.)
    function withdrawFees(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (to == address(0)) revert ZeroRecipient();
        _withdrawFees(to, amount);
        emit FeesWithdrawn(to, amount);
    }

    // =====================================================================================================
    // Views
    // =====================================================================================================

    function validators() external view returns (address[] memory set) {
        bytes memory packed = ValidatorSetStore.read(_inbound.epoch);
        set = new address[](packed.length / 20);
        for (uint256 i = 0; i < set.length; ++i) set[i] = ValidatorSetStore.at(packed, i);
    }

    /// @notice The gateway's state in one call (one view instead of several keeps the function table,
    /// which every call walks, short).
    function status() external view returns (GatewayStatus memory) {
        InboundState memory s = _inbound;
        OutboundState memory o = _outbound;
        return GatewayStatus({
            paused: o.paused,
            sequence: o.sequence,
            validatorEpoch: s.epoch,
            threshold: s.threshold,
            dailyLimit: DailyLimit.fromCapacity(s.capacity),
            dailyLimitAvailable: DailyLimit.toWei(DailyLimit.current(s.available, s.capacity, s.updatedAt))
        });
    }

    function route(uint64 dstChainId) external view returns (Route memory) {
        return _routes[dstChainId];
    }
}
