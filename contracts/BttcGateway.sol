// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BridgeGateway} from "./core/BridgeGateway.sol";
import {Signature, TransferItem, TransferKind} from "./core/BridgeTypes.sol";

/// @title BttcGateway
/// @notice The gateway on BitTorrent Chain, where BTT is the native coin: locks BTT that leaves, releases
/// it when it comes back, and pays redenominated BTT for swapped BTTOLD from a reserve it holds apart.
/// @dev Its balance splits into: locked (backing bridged BTT on remote chains and transfers in flight),
/// the redenomination reserve, fees held, and payouts that a recipient's code refused (claimable).
contract BttcGateway is BridgeGateway {
    /// @notice Gas given to a recipient's code with a payout; a recipient that needs more, or reverts,
    /// gets a claimable balance instead, so that no recipient can block a batch or burn its gas.
    uint256 public constant PAYOUT_GAS = 30_000;

    struct Reserve {
        uint128 balance; // BTT available for swaps
        uint128 paid; // all BTT paid for swaps
    }

    struct Held {
        uint128 fees;
        uint128 claimable; // sum of `claimable`
    }

    Reserve private _reserve;
    Held private _held;
    mapping(address account => uint256) public claimable;

    event ReserveFunded(address indexed from, uint256 amount);
    event PayoutDeferred(address indexed recipient, uint256 amount);
    event Claimed(address indexed account, address indexed to, uint256 amount);

    error ReserveInsufficient(uint256 amount, uint256 available);
    error LockedInsufficient(uint256 amount, uint256 available);
    error NothingToClaim(address account);
    error PayoutFailed(address to, uint256 amount);
    error PayoutGasTooLow(uint256 gasLeft, uint256 needed);

    constructor(
        address admin,
        address guardian,
        address[] memory initialValidators,
        uint8 initialThreshold,
        uint256 dailyLimit_
    ) BridgeGateway(admin, guardian, initialValidators, initialThreshold, dailyLimit_) {}

    // ----- outbound -----

    /// @notice Bridges the BTT sent with the call (fee included) to `recipient` on `dstChainId`.
    /// @return seq The transfer's sequence number.
    function bridge(uint64 dstChainId, address recipient) external payable returns (uint64 seq) {
        uint256 fee = _checkBridgeOut(dstChainId, recipient, msg.value);
        seq = _nextSequence();
        if (fee != 0) _held.fees += uint128(fee); // fee < 2^104, see configureRoute
        emit TransferSent(seq, dstChainId, msg.sender, recipient, msg.value - fee, fee);
    }

    /// @notice Adds the BTT sent with the call to the redenomination reserve.
    function fundReserve() external payable {
        if (msg.value == 0) revert ZeroAmount();
        _reserve.balance += uint128(msg.value);
        emit ReserveFunded(msg.sender, msg.value);
    }

    // ----- inbound -----

    /// @dev Payouts call the recipient, so deliveries here are guarded against reentrancy (a remote
    /// gateway only mints, and needs no guard).
    function deliver(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem calldata item,
        Signature[] calldata signatures
    ) public override nonReentrant {
        super.deliver(srcChainId, srcGateway, item, signatures);
    }

    /// @dev Guarded as `deliver` is.
    function deliverBatch(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem[] calldata items,
        Signature[] calldata signatures
    ) public override nonReentrant returns (uint256) {
        return super.deliverBatch(srcChainId, srcGateway, items, signatures);
    }

    function _acceptsInbound(uint8 kind) internal pure override returns (bool) {
        return kind == TransferKind.BRIDGE || kind == TransferKind.SWAP;
    }

    function _payoutAvailable(uint8 kind) internal view override returns (uint256) {
        return kind == TransferKind.SWAP ? _reserve.balance : lockedBalance();
    }

    function _revertPayoutUnavailable(uint8 kind, uint256 amount, uint256 available) internal pure override {
        if (kind == TransferKind.SWAP) revert ReserveInsufficient(amount, available);
        revert LockedInsufficient(amount, available);
    }

    function _onReceive(uint8 kind, address recipient, uint256 amount) internal override {
        if (kind == TransferKind.SWAP) {
            Reserve memory r = _reserve;
            // Safe: _payoutAvailable checked amount <= balance (< 2^128); paid only ever grows by what
            // left the balance, which never exceeds all BTT.
            _reserve = Reserve(r.balance - uint128(amount), r.paid + uint128(amount));
        }
        _pay(recipient, amount);
    }

    function _pay(address to, uint256 amount) private {
        // A submitter who sends too little gas must not push payouts into the claimable path: the
        // recipient gets at most 63/64 of what is left, so there must be more than PAYOUT_GAS * 64/63.
        uint256 needed = PAYOUT_GAS + PAYOUT_GAS / 63 + 10_000;
        if (gasleft() < needed) revert PayoutGasTooLow(gasleft(), needed);
        (bool ok, ) = payable(to).call{value: amount, gas: PAYOUT_GAS}("");
        if (!ok) {
            claimable[to] += amount;
            _held.claimable += uint128(amount);
            emit PayoutDeferred(to, amount);
        }
    }

    /// @notice Pays the caller's deferred payouts to `to`, with all the gas the call has.
    function claim(address payable to) external nonReentrant {
        _claim(msg.sender, to);
    }

    /// @notice Pays `account`'s deferred payouts to `account` itself, with all the gas the call has.
    /// Anyone may call it, so that a recipient contract that cannot call `claim` still gets its BTT.
    function claimFor(address payable account) external nonReentrant {
        _claim(account, account);
    }

    function _claim(address account, address payable to) private {
        uint256 amount = claimable[account];
        if (amount == 0) revert NothingToClaim(account);
        if (to == address(0)) revert ZeroRecipient();
        claimable[account] = 0;
        _held.claimable -= uint128(amount);
        emit Claimed(account, to, amount);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert PayoutFailed(to, amount);
    }

    function _withdrawFees(address to, uint256 amount) internal override {
        uint256 held = _held.fees;
        if (amount > held) revert FeesInsufficient(amount, held);
        _held.fees = uint128(held - amount);
        (bool ok, ) = payable(to).call{value: amount}("");
        if (!ok) revert PayoutFailed(to, amount);
    }

    // ----- accounting -----

    /// @notice BTT locked for bridged BTT on remote chains and transfers in flight: the balance less the
    /// reserve, fees held and claimable payouts.
    function lockedBalance() public view returns (uint256) {
        Held memory held = _held;
        return address(this).balance - _reserve.balance - held.fees - held.claimable;
    }

    /// @notice What this gateway's side of the accounting invariant needs (docs/protocol.md, "Accounting invariant").
    function accounting()
        external
        view
        returns (uint256 locked, uint256 reserveBalance, uint256 reservePaid, uint256 feesHeld, uint256 claimableTotal)
    {
        Reserve memory r = _reserve;
        Held memory held = _held;
        return (lockedBalance(), r.balance, r.paid, held.fees, held.claimable);
    }
}
