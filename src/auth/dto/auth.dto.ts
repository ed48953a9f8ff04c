import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/roles.js';
import { NormalizeEmail } from '../../common/http/normalize-email.js';
import { OrganizationResponseDto } from '../../organizations/dto/organization.dto.js';
import type { User } from '../user.entity.js';

const PASSWORD_RULES = { minLength: 10, maxLength: 200 };

/** Either organizationName (a new organization, you its owner) or inviteToken (join the inviting one). */
export class SignupDto {
  @ApiProperty({ example: 'ada@acme.test' }) @NormalizeEmail() @IsEmail() @MaxLength(320) email!: string;

  @ApiProperty({ example: 'correct horse battery staple', ...PASSWORD_RULES })
  @IsString()
  @MinLength(PASSWORD_RULES.minLength)
  @MaxLength(PASSWORD_RULES.maxLength)
  password!: string;

  @ApiProperty({ example: 'Ada Lovelace' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;

  @ApiPropertyOptional({ example: 'Acme', description: 'Required unless inviteToken is given' })
  @ValidateIf((dto: SignupDto) => dto.inviteToken === undefined || dto.organizationName !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  organizationName?: string;

  @ApiPropertyOptional({ description: 'From an invitation; replaces organizationName' })
  @ValidateIf((dto: SignupDto) => dto.inviteToken !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  inviteToken?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@acme.test' })
  @NormalizeEmail()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  email!: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(PASSWORD_RULES.maxLength) password!: string;
}

export class RefreshDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) refreshToken!: string;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ada@acme.test' }) email!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() createdAt!: Date;
}

export function toUserResponse(user: User): UserResponseDto {
  return { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt };
}

export class MeResponseDto {
  @ApiProperty({ type: UserResponseDto }) user!: UserResponseDto;
  @ApiProperty({ type: OrganizationResponseDto }) organization!: OrganizationResponseDto;
}

export class AuthResponseDto extends MeResponseDto {
  @ApiProperty({ description: 'JWT for the Authorization: Bearer header' }) accessToken!: string;
  @ApiProperty({ description: 'Single use: exchange it at /v1/auth/refresh for a new pair' })
  refreshToken!: string;
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' }) expiresIn!: number;
}
