// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken (test only)
/// @notice An ERC-20 that, once armed, calls back into `target` with `data` during its next transfer, and
/// bubbles up the callback's revert. It stands in for a malicious token or a token with receive hooks.
contract ReentrantToken is ERC20 {
    address private _target;
    bytes private _data;
    bool private _armed;

    constructor() ERC20("Reentrant", "RENT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms a single callback into `target` with `data` on the next transfer.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
        _armed = true;
    }

    /// @notice Cancels an armed callback (an attack that reverted leaves it armed).
    function disarm() external {
        _armed = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (_armed) {
            _armed = false;
            (bool ok, bytes memory ret) = _target.call(_data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }
}
